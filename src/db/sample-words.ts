/**
 * Word lists the sample-data generator draws from: realistic business names
 * and categories, chosen by column name. They describe ERP data in general,
 * not any particular question.
 */

export const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Emma', 'Frank', 'Grace', 'Henry', 'Isabel', 'James', 'Karen', 'Liam',
  'Maria', 'Nathan', 'Olivia', 'Peter', 'Quinn', 'Rachel', 'Samuel', 'Tina', 'Umar', 'Valerie', 'William', 'Yuki', 'Zoe',
];

export const LAST_NAMES = [
  'Anderson', 'Brown', 'Chen', 'Davis', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Johnson', 'Kim', 'Lopez',
  'Martin', 'Nguyen', 'Okafor', 'Patel', 'Rossi', 'Smith', 'Taylor', 'Schmidt', 'Walker', 'Young', 'Novak', 'Silva',
];

export const COMPANY_ROOTS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Contoso', 'Northwind', 'Fabrikam', 'Tailspin',
  'Vandelay', 'Hooli', 'Soylent', 'Cyberdyne', 'Wonka', 'Tyrell', 'Massive Dynamic', 'Blue Sun', 'Oscorp', 'Aperture',
  'Gringotts', 'Pied Piper', 'Dunder Mifflin', 'Prestige', 'Monarch', 'Zenith', 'Pinnacle', 'Summit', 'Horizon', 'Atlas',
];

export const COMPANY_SUFFIXES = ['Corp', 'Inc', 'LLC', 'Ltd', 'Group', 'Industries', 'Solutions', 'Partners', 'Corp', 'Systems'];

export const PROJECT_AREAS = [
  'Inventory', 'Payroll', 'Billing', 'Customer Portal', 'Data Warehouse', 'ERP', 'CRM', 'Supply Chain', 'HR',
  'Asset Tracking', 'Procurement', 'Reporting', 'Mobile App', 'Website', 'Security', 'Network', 'Cloud', 'Analytics',
  'Warehouse', 'Fleet', 'Compliance', 'Document', 'Finance', 'Logistics',
];

export const PROJECT_KINDS = [
  'System', 'Management System', 'Platform', 'Migration', 'Upgrade', 'Implementation', 'Integration', 'Rollout',
  'Redesign', 'Modernization', 'Automation', 'System Upgrade',
];

export const DEPARTMENTS = ['IT', 'Finance', 'HR', 'Operations', 'Marketing', 'Sales', 'Engineering', 'Legal'];

export const INDUSTRIES = [
  'Technology', 'Manufacturing', 'Healthcare', 'Finance', 'Retail', 'Energy', 'Construction', 'Logistics',
  'Telecommunications', 'Education',
];

export const STAFF_ROLES = [
  'Developer', 'Project Manager', 'Analyst', 'Architect', 'Consultant', 'Tester', 'Designer', 'Engineer', 'Team Lead',
];

export const CONTACT_ROLES = [
  'Account Manager', 'CEO', 'CFO', 'Procurement Manager', 'Technical Lead', 'Operations Director', 'Sales Representative',
];

export const CLASS_NAMES = ['Platinum', 'Gold', 'Silver', 'Bronze', 'Enterprise', 'Standard', 'Premium', 'Basic', 'Strategic', 'Key Account'];

export const EQUIPMENT = ['Excavator', 'Crane', 'Forklift', 'Server Rack', 'Generator', 'Laptop Pool', 'Survey Drone', 'Concrete Mixer'];
export const MATERIALS = ['Steel Beams', 'Copper Cable', 'Concrete', 'Lumber', 'Fiber Optic Cable', 'Glass Panels', 'PVC Pipe', 'Insulation'];

/** Status vocabularies; a column gets the family that contains its DEFAULT. */
export const STATUS_FAMILIES = [
  ['Active', 'Inactive'],
  ['Planning', 'Active', 'Completed', 'On Hold'],
  ['Pending', 'Approved', 'Rejected', 'Completed'],
  ['Available', 'Partially Available', 'Unavailable'],
  ['Open', 'In Progress', 'Resolved', 'Closed'],
  ['Draft', 'Active', 'Expired'],
  ['Assigned', 'Released', 'Pending'],
];

/** Values of `…_Type` columns, keyed by a word of the column name. */
export const TYPE_WORDS: Record<string, string[]> = {
  support: ['Technical', 'Billing', 'Account', 'Training', 'Bug Report', 'Feature Request'],
  response: ['Email', 'Phone', 'Meeting', 'Report', 'Survey'],
  supplier: ['Materials', 'Services', 'Equipment', 'Software', 'Logistics'],
  record: ['Invoice', 'Journal Entry', 'Payment', 'Receipt', 'Budget'],
  revision: ['Scope Change', 'Budget Update', 'Timeline Adjustment'],
  contract: ['Fixed Price', 'Time and Materials', 'Retainer'],
  resource: ['Human', 'Material', 'Equipment'],
};

export const GENERIC_TYPES = ['Standard', 'Internal', 'External', 'Special'];
export const RATINGS = ['Excellent', 'Good', 'Average', 'Poor'];
export const PAYMENT_TERMS = ['Net 30', 'Net 45', 'Net 60', 'Net 15', 'Due on Receipt'];
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD'];
export const OPPORTUNITY_KINDS = ['Expansion', 'Renewal', 'Deal', 'Upsell', 'Pilot'];

export const SENTENCE_SUBJECTS = [
  'Scope', 'Budget', 'Timeline', 'Delivery', 'Integration', 'Reporting', 'Access', 'Invoice', 'Data import', 'Training',
];
export const SENTENCE_VERBS = [
  'reviewed with the client', 'updated after the steering meeting', 'needs follow-up', 'approved by finance',
  'escalated to the vendor', 'documented in the project plan', 'pending customer feedback', 'resolved by the support team',
];

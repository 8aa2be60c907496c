import { describe, expect, it } from 'vitest';
import { numberWord, ordinalWord, readNumber } from '../../src/language/numbers.js';

const read = (text: string) => readNumber(text.split(' '), 0);

describe('numbers in words', () => {
  it('reads single cardinal words', () => {
    expect(['zero', 'five', 'twelve', 'ninety', 'dozen', 'Seven'].map(numberWord)).toEqual([0, 5, 12, 90, 12, 7]);
    expect(numberWord('twenty-five')).toBe(25);
    expect(numberWord('several')).toBeUndefined();
  });
  it('reads compound numbers and stops where the number ends', () => {
    expect(read('twenty five singers')).toEqual({ value: 25, ordinal: false, start: 0, end: 2 });
    expect(read('two hundred and fifty')?.value).toBe(250);
    expect(read('a dozen pets')).toEqual({ value: 12, ordinal: false, start: 0, end: 2 });
    expect(read('three dozen')?.value).toBe(36);
    expect(read('1.5 million')?.value).toBe(1_500_000);
    expect(read('2 thousand')?.value).toBe(2000);
    expect(read('1,200')?.value).toBe(1200);
    expect(read('one thousand two hundred')?.value).toBe(1200);
    expect(read('five six')).toEqual({ value: 5, ordinal: false, start: 0, end: 1 });
    expect(read('a singer')).toBeUndefined();
    expect(read('and five')).toBeUndefined();
  });
  it('reads ordinals as positions', () => {
    expect(['first', 'second', 'third', 'tenth', 'twelfth', 'twentieth', '21st', '2nd', 'twenty-first'].map(ordinalWord)).toEqual([1, 2, 3, 10, 12, 20, 21, 2, 21]);
    expect(read('second largest')).toEqual({ value: 2, ordinal: true, start: 0, end: 1 });
    expect(read('twenty first')).toEqual({ value: 21, ordinal: true, start: 0, end: 2 });
    expect(read('one hundredth')?.value).toBe(100);
    expect(ordinalWord('seconds')).toBeUndefined();
  });
  it('reads from the position given', () => {
    expect(readNumber(['top', 'five', 'cars'], 1)).toEqual({ value: 5, ordinal: false, start: 1, end: 2 });
  });
});

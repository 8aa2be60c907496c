/**
 * The command registry. A command is one file in this folder exporting
 * `register(program)`, which declares it with commander and lazily imports
 * what its action needs; adding a command is that file plus one line here.
 */
import type { Command } from 'commander';
import { register as analyze } from './analyze.js';
import { register as ask } from './ask.js';
import { register as batch } from './batch.js';
import { register as evaluate } from './eval.js';
import { register as learn } from './learn.js';
import { register as machines } from './machines.js';
import { register as sampleDb } from './sample-db.js';
import { register as rewardReport } from './reward-report.js';
import { register as score } from './score.js';
import { register as serve } from './serve.js';
import { register as train } from './train.js';
import { register as validate } from './validate.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [ask, analyze, validate, sampleDb, machines, learn, serve, batch, evaluate, train, score, rewardReport];

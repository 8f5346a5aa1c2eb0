#!/usr/bin/env node
import 'reflect-metadata';
import { processIo } from './ops-io.js';
import { runOps } from './ops.js';

process.exitCode = await runOps(process.argv.slice(2), processIo());

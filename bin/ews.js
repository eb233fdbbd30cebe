#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so the command and the code never drift apart.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

// Node-only CLI: `npm run verify-hand -- <record.json>` checks a finished hand's revealed
// seed against its commitment and every shown card (see fairness.ts). Exit code 0 = OK,
// 1 = verification failed or bad input. The library never imports this file.
import { existsSync, readFileSync } from 'node:fs';
import { type HandRecord, verifyHand } from './fairness.js';

function main(argv: readonly string[]): number {
  const target = argv[0];
  if (target === undefined || argv.length > 1) {
    console.error('usage: npm run verify-hand -- <hand-record.json>');
    return 1;
  }
  if (!existsSync(target)) {
    console.error(
      `no such file: ${target}\n` +
        'verify-hand expects the path of a hand record JSON file ' +
        '({ handId, commitment, seed, variant, dealtSeats, holeCards, board, deck? }).',
    );
    return 1;
  }
  let record: HandRecord;
  try {
    record = JSON.parse(readFileSync(target, 'utf8')) as HandRecord;
  } catch (error) {
    console.error(`cannot read ${target}: ${(error as Error).message}`);
    return 1;
  }
  const result = verifyHand(record);
  if (result.ok) {
    console.log(`OK ${record.handId}`);
    return 0;
  }
  console.log(`FAILED ${String(record.handId)}: ${result.reason}`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));

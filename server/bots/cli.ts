import { writeFileSync } from 'node:fs';
import { BotTokenRefused, ServerUnreachable } from './http';
import { USAGE, UsageError, parseCli } from './options';
import { formatReport } from './report';
import { runBots } from './run';

// `npm run bots -- [options]`: load-test bots against a running server.
// Exit 0 when the run is clean, 1 on an invariant violation or errors above
// the threshold, 2 on bad usage or an unreachable server.

async function main(): Promise<number> {
  let options;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  let interrupt!: () => void;
  const stopSignal = new Promise<void>((resolve) => (interrupt = resolve));
  process.once('SIGINT', () => {
    console.error('\ninterrupted: stopping the bots (Ctrl-C again to abort)');
    interrupt();
    process.once('SIGINT', () => process.exit(130));
  });
  try {
    const report = await runBots(options, { stopSignal });
    console.log(formatReport(report));
    if (options.report) {
      writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`report written to ${options.report}`);
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ServerUnreachable) {
      console.error(`The server at ${options.url} is unreachable: ${error.message}\nIs it running? (npm start; BOT_TOKEN must be set on the server too)`);
      return 2;
    }
    if (error instanceof BotTokenRefused) {
      console.error(`bot run failed: ${error.message}`);
      return 2;
    }
    console.error(`bot run failed: ${(error as Error).message}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

/**
 * Test-only: an event worker in its own process, so a test can SIGKILL it
 * mid-delivery. Argument: JSON `{ url, schema, task, concurrency, sleepMs }`.
 * The handler writes its effect, prints `claimed <event id>`, then sleeps
 * inside the still-open transaction. Prints `ready` once polling.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';

import { startEventWorker } from '../consumer.js';

interface ChildArgs {
  url: string;
  schema: string;
  task: string;
  concurrency: number;
  sleepMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const orm = await MikroORM.init({
  clientUrl: args.url,
  entities: [],
  discovery: { warnWhenNoEntities: false },
  pool: { min: 0, max: args.concurrency + 1 },
});
await startEventWorker({
  connectionString: args.url,
  schema: args.schema,
  orm,
  concurrency: args.concurrency,
  pollInterval: 100,
  log: pino({ level: 'warn' }, process.stderr),
  handlers: {
    [args.task]: async (event, em) => {
      await em.execute(`INSERT INTO ${args.schema}.effect (event_id, task) VALUES (?, ?)`, [
        event.id,
        args.task,
      ]);
      process.stdout.write(`claimed ${event.id}\n`);
      await new Promise((r) => setTimeout(r, args.sleepMs));
    },
  },
});
process.stdout.write('ready\n');

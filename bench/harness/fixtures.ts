import { loadUserVerifier } from '../../gateway/user-verifier.js';
import type { Config } from '../../platform/config/index.js';
import { devPrincipal } from '../../platform/identity/dev-issuer.js';
import { waitForTasks } from '../../platform/events/settle.js';
import { ACCESS_FACT_CONSUMERS } from '../../subgraphs/subscriptions.js';
import type { BenchDatabase } from './database.js';

/** The subgraphs the bench runs (both stacks serve the same three). */
export const BENCH_SUBGRAPHS = ['patient', 'scheduling', 'billing'] as const;

/** The access-fact tasks of the subgraphs the bench starts (the others' jobs just wait). */
export const BENCH_ACCESS_FACT_TASKS = ACCESS_FACT_CONSUMERS.filter((task) =>
  (BENCH_SUBGRAPHS as readonly string[]).includes(task.split(':')[0]!),
);

/** Who the bench queries as, and the rows it queries. */
export interface Fixtures {
  /** A seeded patient with a care team: `me` and `patient(id)` read this one. */
  patientId: string;
  /** A practitioner on that patient's care team (and on the 50 bench patients'). */
  practitionerId: string;
  /** A bench patient the scheduler books for. */
  bookingPatientId: string;
  /** Free slot starts of the practitioner, one per connection of the booking case. */
  slots: string[];
  tokens: { clinician: string; patient: string; scheduler: string };
}

/** POSTs one GraphQL operation and returns its data; throws on any error. */
export async function gql<T>(url: string, token: string, query: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * Through Carefed's own API (so every event and projection follows): 50
 * patients on the clinician's care team, three booked appointments for the
 * demo patient, and free slots for the booking case. Tokens come from the
 * development issuer the gateway trusts (its keys under DATA_DIR).
 */
export async function makeFixtures(
  config: Config,
  db: BenchDatabase,
  gatewayUrl: string,
  maxConnections: number,
): Promise<Fixtures> {
  // The dev issuer is named after the gateway's port: sign as the one this gateway trusts.
  const port = Number(new URL(gatewayUrl).port);
  const { devIssuer } = await loadUserVerifier({ ...config, GATEWAY_PORT: port });
  if (!devIssuer) throw new Error('The bench needs the development issuer (no OIDC_ISSUER)');
  const [pick] = await db.query<{ patient_id: string; practitioner_id: string }>(
    `SELECT c.patient_id, c.practitioner_id FROM patient.care_team_member c
       JOIN patient.patient p ON p.id = c.patient_id AND p.active
      ORDER BY c.patient_id, c.practitioner_id LIMIT 1`,
  );
  if (!pick) throw new Error('The seed has no patient with a care team');
  const { patient_id: patientId, practitioner_id: practitionerId } = pick;
  const sign = (role: Parameters<typeof devPrincipal>[0], extra = {}) =>
    devIssuer.sign(devPrincipal(role, extra), { expiresIn: '6h' });
  const admin = await sign('admin');
  const tokens = {
    clinician: await sign('clinician', { practitionerId }),
    patient: await sign('patient', { patientId, sub: 'bench-patient' }),
    scheduler: await sign('scheduler'),
  };
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const { createPatient } = await gql<{ createPatient: { id: string } }>(
      gatewayUrl,
      admin,
      `mutation { createPatient(input: { mrn: "BENCH-${i}", name: { family: "Bench", given: ["P${i}"] }, birthDate: "1970-01-01", gender: other }) { id } }`,
    );
    ids.push(createPatient.id);
    await gql(
      gatewayUrl,
      admin,
      `mutation { addCareTeamMember(patientId: "${createPatient.id}", practitionerId: "${practitionerId}", role: "primary-care") { id } }`,
    );
  }
  const from = new Date(Date.now() + 86_400_000).toISOString();
  const to = new Date(Date.now() + 29 * 86_400_000).toISOString();
  const { availableSlots } = await gql<{ availableSlots: { start: string }[] }>(
    gatewayUrl,
    tokens.scheduler,
    `{ availableSlots(practitionerId: "${practitionerId}", from: "${from}", to: "${to}", first: ${maxConnections + 3}) { start } }`,
  );
  if (availableSlots.length < maxConnections + 3)
    throw new Error(`Only ${availableSlots.length} free slots for ${maxConnections} connections`);
  await waitForTasks(db.adminUrl, BENCH_ACCESS_FACT_TASKS, 60_000);
  for (const [i, slot] of availableSlots.slice(0, 3).entries())
    await gql(
      gatewayUrl,
      tokens.scheduler,
      `mutation { bookAppointment(input: { patientId: "${patientId}", practitionerId: "${practitionerId}", start: "${slot.start}", idempotencyKey: "bench-me-${i}" }) { id } }`,
    );
  return {
    patientId,
    practitionerId,
    bookingPatientId: ids[0]!,
    slots: availableSlots.slice(3).map((s) => s.start),
    tokens,
  };
}

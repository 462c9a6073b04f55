import type { EntityManager } from '@mikro-orm/postgresql';

/** When a researcher accepted one version of the data use agreement; null: never. */
export async function acceptedAt(
  em: EntityManager,
  researcher: string,
  version: number,
): Promise<Date | null> {
  const [row] = await em.execute<{ accepted_at: Date }[]>(
    'SELECT accepted_at FROM dua_acceptance WHERE researcher = ? AND version = ?',
    [researcher, version],
  );
  return row ? new Date(row.accepted_at) : null;
}

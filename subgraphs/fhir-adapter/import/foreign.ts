import type { FhirResource } from '../store/resource-writes.js';

/** What another subgraph made of one resource it owns. */
export interface ForeignResult {
  sourceKey: string;
  id: string;
  outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED';
}

/** A practitioner with the roles that name it (specialties, locations). */
export interface PractitionerWithRoles {
  sourceKey: string;
  practitioner: FhirResource;
  roles: readonly FhirResource[];
}

/**
 * Writes the resources other subgraphs own, through the graph as the
 * importer's system principal, so their own access rules, encryption and
 * audit hold: Patient to patient (matched by identifier), Practitioner with
 * its PractitionerRoles to scheduling (matched by NPI).
 */
export interface ForeignWriter {
  patients(
    items: readonly { sourceKey: string; resource: FhirResource }[],
  ): Promise<ForeignResult[]>;
  practitioners(items: readonly PractitionerWithRoles[]): Promise<ForeignResult[]>;
}

/** A writer for a store opened without a graph (tools that import nothing foreign). */
export const NO_FOREIGN_WRITER: ForeignWriter = {
  patients: () => Promise.reject(new Error('No graph to write patients through')),
  practitioners: () => Promise.reject(new Error('No graph to write practitioners through')),
};

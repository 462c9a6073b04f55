import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { badInput } from '../../../platform/errors/index.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { PharmacyContext } from '../context.js';
import { drugCursor, searchDrugs, type DrugRow } from '../store/catalogue-reads.js';
import {
  Drug,
  DrugConnection,
  OutsideMedication,
  Practitioner,
  Prescription,
} from './prescription.types.js';

/** A catalogue row as the graph shows it. */
export const toDrug = (d: DrugRow): Drug => ({
  rxcui: d.rxcui,
  name: d.name,
  termType: d.tty,
  doseForm: d.doseForm,
  strength: d.strength,
  ingredients: d.ingredients,
  interactionCoverage: d.interactionCoverage,
  unitPriceMinor: d.unitPriceMinor === null ? null : d.unitPriceMinor.toString(),
  currency: d.currency,
});

const RXCUI = /^[0-9]{1,12}$/;

/** The drug catalogue (no PHI: any signed-in caller). */
@Resolver(() => Drug)
export class DrugResolver {
  @Query(() => Drug, {
    nullable: true,
    description: 'A catalogue drug by RxCUI; null when unknown.',
  })
  async drug(
    @Arg('rxcui', () => ID) rxcui: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<Drug | null> {
    if (!RXCUI.test(rxcui)) throw badInput('rxcui must be an RxCUI (digits)', 'rxcui');
    const d = await ctx.loaders.drugs.load(rxcui);
    return d ? toDrug(d) : null;
  }

  @Query(() => DrugConnection, {
    description:
      'Catalogue drugs by name (case-insensitive substring, 2 to 100 characters), alphabetical.',
  })
  async drugs(
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('search', () => String, { nullable: true }) search: string | null | undefined,
    @Ctx() ctx: PharmacyContext,
  ): Promise<DrugConnection> {
    const text = search?.trim() ?? null;
    if (text !== null && (text.length < 2 || text.length > 100))
      throw badInput('search must be 2 to 100 characters', 'search');
    const page = await searchDrugs(ctx.em, {
      ...(text ? { text } : {}),
      first: pageSize(first),
      ...(after ? { after } : {}),
    });
    return {
      edges: page.rows.map((d) => ({ cursor: drugCursor(d), node: toDrug(d) })),
      pageInfo: {
        hasNextPage: page.hasNext,
        endCursor: page.rows.length ? drugCursor(page.rows.at(-1)!) : null,
      },
    };
  }
}

/** A prescription's links: its drug, prescriber and the prescription it renewed. */
@Resolver(() => Prescription)
export class PrescriptionLinksResolver {
  @FieldResolver(() => Drug, {
    nullable: true,
    description: 'The drug (null if no longer in the catalogue).',
  })
  async drug(@Root() p: Prescription, @Ctx() ctx: PharmacyContext): Promise<Drug | null> {
    const d = await ctx.loaders.drugs.load(p.drugRxcui);
    return d ? toDrug(d) : null;
  }

  @FieldResolver(() => Practitioner, {
    nullable: true,
    description: 'The prescriber (scheduling’s Practitioner).',
  })
  prescriber(@Root() p: Prescription): Practitioner | null {
    return p.prescriberId ? { id: p.prescriberId } : null;
  }
}

/** An outside medication's drug, when its code is a catalogue RxCUI. */
@Resolver(() => OutsideMedication)
export class OutsideMedicationResolver {
  @FieldResolver(() => Drug, { nullable: true, description: 'The catalogue drug, when known.' })
  async drug(@Root() m: OutsideMedication, @Ctx() ctx: PharmacyContext): Promise<Drug | null> {
    if (!m.rxcui || !RXCUI.test(m.rxcui)) return null;
    const d = await ctx.loaders.drugs.load(m.rxcui);
    return d ? toDrug(d) : null;
  }
}

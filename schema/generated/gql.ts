/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query PartnerPatient {\n  me {\n    subject\n    clientId\n    scopes\n    patientId\n    patient {\n      ...PatientSummary\n    }\n  }\n}": typeof types.PartnerPatientDocument,
    "query PatientAccessLog($patientId: ID!, $first: Int, $after: String) {\n  accessLog(patientId: $patientId, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        seq\n        occurredAt\n        actor\n        actorRoles\n        clientId\n        action\n        resourceType\n        purpose\n        outcome\n        emergency\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.PatientAccessLogDocument,
    "query PatientAppointments($id: ID!, $first: Int, $after: String, $from: DateTimeISO, $to: DateTimeISO, $status: [AppointmentStatus!]) {\n  patient(id: $id) {\n    id\n    appointments(\n      first: $first\n      after: $after\n      from: $from\n      to: $to\n      status: $status\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          start\n          end\n          timeZone\n          localStart\n          localEnd\n          facilityId\n          practitioner {\n            id\n            name {\n              text\n            }\n            specialties\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": typeof types.PatientAppointmentsDocument,
    "query PatientBilling($id: ID!, $first: Int) {\n  patient(id: $id) {\n    id\n    balance {\n      amount\n      currency\n      formatted\n    }\n    coverages {\n      id\n      priority\n      status\n      periodStart\n      periodEnd\n      payer {\n        id\n        name\n      }\n      plan {\n        id\n        name\n      }\n    }\n    payments {\n      id\n      amount {\n        amount\n        currency\n      }\n      refunded {\n        amount\n        currency\n      }\n      createdAt\n    }\n    statements(first: $first) {\n      edges {\n        node {\n          id\n          sequence\n          issuedAt\n          dueOn\n          amountDue {\n            amount\n            currency\n            formatted\n          }\n        }\n      }\n    }\n  }\n}": typeof types.PatientBillingDocument,
    "query PatientById($id: ID!) {\n  patient(id: $id) {\n    ...PatientSummary\n  }\n}": typeof types.PatientByIdDocument,
    "query PatientConsents($id: ID!) {\n  patient(id: $id) {\n    id\n    consents {\n      id\n      status\n      scope\n      provisions {\n        type\n        actors {\n          kind\n          id\n        }\n        purposes\n        dataClasses\n      }\n      periodStart\n      periodEnd\n      recordedAt\n      revokedAt\n    }\n  }\n}": typeof types.PatientConsentsDocument,
    "fragment PatientSummary on Patient {\n  id\n  mrn\n  name {\n    family\n    given\n    text\n  }\n  birthDate\n  gender\n  active\n}": typeof types.PatientSummaryFragmentDoc,
    "mutation PayBalance($input: TakePaymentInput!) {\n  takePayment(input: $input) {\n    id\n    replayed\n    amount {\n      amount\n      currency\n    }\n    createdAt\n  }\n}": typeof types.PayBalanceDocument,
    "mutation PayerAdjudicateClaim($id: ID!, $input: AdjudicateClaimInput!) {\n  adjudicateClaim(id: $id, input: $input) {\n    id\n    status\n    version\n    allowed {\n      amount\n      currency\n    }\n    paid {\n      amount\n      currency\n    }\n    patientResponsibility {\n      amount\n      currency\n    }\n    denialReason\n    adjudicatedAt\n  }\n}": typeof types.PayerAdjudicateClaimDocument,
    "query PayerClaims($status: [ClaimStatus!] = [submitted], $first: Int, $after: String) {\n  claims(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        version\n        total {\n          amount\n          currency\n        }\n        submittedAt\n        coverage {\n          id\n          memberId\n          plan {\n            id\n            name\n          }\n        }\n        charges {\n          code\n          description\n          units\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.PayerClaimsDocument,
};
const documents: Documents = {
    "query PartnerPatient {\n  me {\n    subject\n    clientId\n    scopes\n    patientId\n    patient {\n      ...PatientSummary\n    }\n  }\n}": types.PartnerPatientDocument,
    "query PatientAccessLog($patientId: ID!, $first: Int, $after: String) {\n  accessLog(patientId: $patientId, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        seq\n        occurredAt\n        actor\n        actorRoles\n        clientId\n        action\n        resourceType\n        purpose\n        outcome\n        emergency\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.PatientAccessLogDocument,
    "query PatientAppointments($id: ID!, $first: Int, $after: String, $from: DateTimeISO, $to: DateTimeISO, $status: [AppointmentStatus!]) {\n  patient(id: $id) {\n    id\n    appointments(\n      first: $first\n      after: $after\n      from: $from\n      to: $to\n      status: $status\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          start\n          end\n          timeZone\n          localStart\n          localEnd\n          facilityId\n          practitioner {\n            id\n            name {\n              text\n            }\n            specialties\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": types.PatientAppointmentsDocument,
    "query PatientBilling($id: ID!, $first: Int) {\n  patient(id: $id) {\n    id\n    balance {\n      amount\n      currency\n      formatted\n    }\n    coverages {\n      id\n      priority\n      status\n      periodStart\n      periodEnd\n      payer {\n        id\n        name\n      }\n      plan {\n        id\n        name\n      }\n    }\n    payments {\n      id\n      amount {\n        amount\n        currency\n      }\n      refunded {\n        amount\n        currency\n      }\n      createdAt\n    }\n    statements(first: $first) {\n      edges {\n        node {\n          id\n          sequence\n          issuedAt\n          dueOn\n          amountDue {\n            amount\n            currency\n            formatted\n          }\n        }\n      }\n    }\n  }\n}": types.PatientBillingDocument,
    "query PatientById($id: ID!) {\n  patient(id: $id) {\n    ...PatientSummary\n  }\n}": types.PatientByIdDocument,
    "query PatientConsents($id: ID!) {\n  patient(id: $id) {\n    id\n    consents {\n      id\n      status\n      scope\n      provisions {\n        type\n        actors {\n          kind\n          id\n        }\n        purposes\n        dataClasses\n      }\n      periodStart\n      periodEnd\n      recordedAt\n      revokedAt\n    }\n  }\n}": types.PatientConsentsDocument,
    "fragment PatientSummary on Patient {\n  id\n  mrn\n  name {\n    family\n    given\n    text\n  }\n  birthDate\n  gender\n  active\n}": types.PatientSummaryFragmentDoc,
    "mutation PayBalance($input: TakePaymentInput!) {\n  takePayment(input: $input) {\n    id\n    replayed\n    amount {\n      amount\n      currency\n    }\n    createdAt\n  }\n}": types.PayBalanceDocument,
    "mutation PayerAdjudicateClaim($id: ID!, $input: AdjudicateClaimInput!) {\n  adjudicateClaim(id: $id, input: $input) {\n    id\n    status\n    version\n    allowed {\n      amount\n      currency\n    }\n    paid {\n      amount\n      currency\n    }\n    patientResponsibility {\n      amount\n      currency\n    }\n    denialReason\n    adjudicatedAt\n  }\n}": types.PayerAdjudicateClaimDocument,
    "query PayerClaims($status: [ClaimStatus!] = [submitted], $first: Int, $after: String) {\n  claims(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        version\n        total {\n          amount\n          currency\n        }\n        submittedAt\n        coverage {\n          id\n          memberId\n          plan {\n            id\n            name\n          }\n        }\n        charges {\n          code\n          description\n          units\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.PayerClaimsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PartnerPatient {\n  me {\n    subject\n    clientId\n    scopes\n    patientId\n    patient {\n      ...PatientSummary\n    }\n  }\n}"): (typeof documents)["query PartnerPatient {\n  me {\n    subject\n    clientId\n    scopes\n    patientId\n    patient {\n      ...PatientSummary\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PatientAccessLog($patientId: ID!, $first: Int, $after: String) {\n  accessLog(patientId: $patientId, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        seq\n        occurredAt\n        actor\n        actorRoles\n        clientId\n        action\n        resourceType\n        purpose\n        outcome\n        emergency\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query PatientAccessLog($patientId: ID!, $first: Int, $after: String) {\n  accessLog(patientId: $patientId, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        seq\n        occurredAt\n        actor\n        actorRoles\n        clientId\n        action\n        resourceType\n        purpose\n        outcome\n        emergency\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PatientAppointments($id: ID!, $first: Int, $after: String, $from: DateTimeISO, $to: DateTimeISO, $status: [AppointmentStatus!]) {\n  patient(id: $id) {\n    id\n    appointments(\n      first: $first\n      after: $after\n      from: $from\n      to: $to\n      status: $status\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          start\n          end\n          timeZone\n          localStart\n          localEnd\n          facilityId\n          practitioner {\n            id\n            name {\n              text\n            }\n            specialties\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"): (typeof documents)["query PatientAppointments($id: ID!, $first: Int, $after: String, $from: DateTimeISO, $to: DateTimeISO, $status: [AppointmentStatus!]) {\n  patient(id: $id) {\n    id\n    appointments(\n      first: $first\n      after: $after\n      from: $from\n      to: $to\n      status: $status\n    ) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          start\n          end\n          timeZone\n          localStart\n          localEnd\n          facilityId\n          practitioner {\n            id\n            name {\n              text\n            }\n            specialties\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PatientBilling($id: ID!, $first: Int) {\n  patient(id: $id) {\n    id\n    balance {\n      amount\n      currency\n      formatted\n    }\n    coverages {\n      id\n      priority\n      status\n      periodStart\n      periodEnd\n      payer {\n        id\n        name\n      }\n      plan {\n        id\n        name\n      }\n    }\n    payments {\n      id\n      amount {\n        amount\n        currency\n      }\n      refunded {\n        amount\n        currency\n      }\n      createdAt\n    }\n    statements(first: $first) {\n      edges {\n        node {\n          id\n          sequence\n          issuedAt\n          dueOn\n          amountDue {\n            amount\n            currency\n            formatted\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query PatientBilling($id: ID!, $first: Int) {\n  patient(id: $id) {\n    id\n    balance {\n      amount\n      currency\n      formatted\n    }\n    coverages {\n      id\n      priority\n      status\n      periodStart\n      periodEnd\n      payer {\n        id\n        name\n      }\n      plan {\n        id\n        name\n      }\n    }\n    payments {\n      id\n      amount {\n        amount\n        currency\n      }\n      refunded {\n        amount\n        currency\n      }\n      createdAt\n    }\n    statements(first: $first) {\n      edges {\n        node {\n          id\n          sequence\n          issuedAt\n          dueOn\n          amountDue {\n            amount\n            currency\n            formatted\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PatientById($id: ID!) {\n  patient(id: $id) {\n    ...PatientSummary\n  }\n}"): (typeof documents)["query PatientById($id: ID!) {\n  patient(id: $id) {\n    ...PatientSummary\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PatientConsents($id: ID!) {\n  patient(id: $id) {\n    id\n    consents {\n      id\n      status\n      scope\n      provisions {\n        type\n        actors {\n          kind\n          id\n        }\n        purposes\n        dataClasses\n      }\n      periodStart\n      periodEnd\n      recordedAt\n      revokedAt\n    }\n  }\n}"): (typeof documents)["query PatientConsents($id: ID!) {\n  patient(id: $id) {\n    id\n    consents {\n      id\n      status\n      scope\n      provisions {\n        type\n        actors {\n          kind\n          id\n        }\n        purposes\n        dataClasses\n      }\n      periodStart\n      periodEnd\n      recordedAt\n      revokedAt\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment PatientSummary on Patient {\n  id\n  mrn\n  name {\n    family\n    given\n    text\n  }\n  birthDate\n  gender\n  active\n}"): (typeof documents)["fragment PatientSummary on Patient {\n  id\n  mrn\n  name {\n    family\n    given\n    text\n  }\n  birthDate\n  gender\n  active\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PayBalance($input: TakePaymentInput!) {\n  takePayment(input: $input) {\n    id\n    replayed\n    amount {\n      amount\n      currency\n    }\n    createdAt\n  }\n}"): (typeof documents)["mutation PayBalance($input: TakePaymentInput!) {\n  takePayment(input: $input) {\n    id\n    replayed\n    amount {\n      amount\n      currency\n    }\n    createdAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PayerAdjudicateClaim($id: ID!, $input: AdjudicateClaimInput!) {\n  adjudicateClaim(id: $id, input: $input) {\n    id\n    status\n    version\n    allowed {\n      amount\n      currency\n    }\n    paid {\n      amount\n      currency\n    }\n    patientResponsibility {\n      amount\n      currency\n    }\n    denialReason\n    adjudicatedAt\n  }\n}"): (typeof documents)["mutation PayerAdjudicateClaim($id: ID!, $input: AdjudicateClaimInput!) {\n  adjudicateClaim(id: $id, input: $input) {\n    id\n    status\n    version\n    allowed {\n      amount\n      currency\n    }\n    paid {\n      amount\n      currency\n    }\n    patientResponsibility {\n      amount\n      currency\n    }\n    denialReason\n    adjudicatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PayerClaims($status: [ClaimStatus!] = [submitted], $first: Int, $after: String) {\n  claims(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        version\n        total {\n          amount\n          currency\n        }\n        submittedAt\n        coverage {\n          id\n          memberId\n          plan {\n            id\n            name\n          }\n        }\n        charges {\n          code\n          description\n          units\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query PayerClaims($status: [ClaimStatus!] = [submitted], $first: Int, $after: String) {\n  claims(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        status\n        version\n        total {\n          amount\n          currency\n        }\n        submittedAt\n        coverage {\n          id\n          memberId\n          plan {\n            id\n            name\n          }\n        }\n        charges {\n          code\n          description\n          units\n          amount {\n            amount\n            currency\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
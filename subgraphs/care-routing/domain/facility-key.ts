/** What a facility id or FHIR Location id looks like (the FHIR id grammar). */
export const FACILITY_KEY = /^[A-Za-z0-9._:-]{1,64}$/;

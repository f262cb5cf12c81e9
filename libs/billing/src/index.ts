// Usage records and billing (H16): what the runtime, the admin API and the CLI use.
export { Billing } from './billing';
export type { BillingSettings, PreparedExport, UsageQuery } from './billing';
export { UsageRecorder } from './usage-recorder';
export type { MailEntry, SubmittedSms } from './usage-recorder';
export { StorageDayJob } from './storage-day';
export { PlanBook } from './plan-book';
export type { PlanInput, PlanView } from './plan-book';
export { formatMicros, parsePrice } from './money';
export { localDay, parsePeriod } from './period';
export type { Period } from './period';
export { rate } from './rating';
export type { RatedAmounts, RatingPlan, UsageQuantities } from './rating';
export { EXPORT_FORMATS, TOTALS_BY, totalsCsv, totalsJson, totalsText } from './usage-format';
export type { ExportFormat, TotalsBy, TotalsReport, TotalsRow } from './usage-format';

/**
 * Calendar arithmetic on local dates (`YYYY-MM-DD`), as plain days: no clock and no timezone is involved, so the
 * answer is the same on any server.
 */

/** The date `days` after `date` (negative for before). */
export const addDays = (date: string, days: number): string => {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** 1 for Monday … 7 for Sunday. */
export const isoWeekday = (date: string): number => ((new Date(`${date.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7) + 1

/** The Monday of the week (Monday to Sunday, as Intervals.icu counts weeks) that holds `date`. */
export const mondayOf = (date: string): string => addDays(date, 1 - isoWeekday(date))

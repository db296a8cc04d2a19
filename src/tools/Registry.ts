/**
 * Every tool this server offers, in the order `tools/list` shows them.
 */
import { getActivities, getActivityDetails, getActivityIntervals } from "./Activities.js"
import { getEventById, getEvents } from "./Events.js"
import type { AnyTool } from "./Tool.js"
import { getWellnessData } from "./Wellness.js"

export const tools: ReadonlyArray<AnyTool> = [
  getActivities,
  getActivityDetails,
  getActivityIntervals,
  getWellnessData,
  getEvents,
  getEventById
]

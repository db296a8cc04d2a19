/**
 * Every tool this server offers, in the order `tools/list` shows them, and which of them a write mode registers.
 */
import type { WriteMode } from "../services/AppConfig.js"
import { getActivities, getActivityDetails, getActivityIntervals } from "./Activities.js"
import { addActivityMessage, getActivityMessages, getActivityStreams } from "./ActivityData.js"
import { getAthletePowerCurves, getGearList } from "./Athlete.js"
import { addOrUpdateEvent, addOrUpdateNote, deleteEvent, deleteEventsByDateRange } from "./CalendarWrites.js"
import {
  createCustomItem,
  deleteCustomItem,
  getCustomItemById,
  getCustomItems,
  updateCustomItem
} from "./CustomItems.js"
import { getEventById, getEvents } from "./Events.js"
import type { AnyTool } from "./Tool.js"
import { getWellnessData } from "./Wellness.js"

export const allTools: ReadonlyArray<AnyTool> = [
  getActivities,
  getActivityDetails,
  getActivityIntervals,
  getActivityStreams,
  getActivityMessages,
  addActivityMessage,
  getWellnessData,
  getEvents,
  getEventById,
  addOrUpdateEvent,
  addOrUpdateNote,
  deleteEvent,
  deleteEventsByDateRange,
  getCustomItems,
  getCustomItemById,
  createCustomItem,
  updateCustomItem,
  deleteCustomItem,
  getAthletePowerCurves,
  getGearList
]

export const writes = (tool: AnyTool): boolean => tool.annotations.readOnlyHint !== true

/** `read-only` registers no tool that writes; `safe` and `full` register all (their limits live in the tools). */
export const toolsFor = (mode: WriteMode): ReadonlyArray<AnyTool> =>
  mode === "read-only" ? allTools.filter((tool) => !writes(tool)) : allTools

/**
 * Every tool this server offers, in the order `tools/list` shows them, and which of them a write mode registers.
 */
import type { WriteMode } from "../services/AppConfig.js"
import { getActivities, getActivityDetails, getActivityIntervals } from "./Activities.js"
import { addActivityMessage, getActivityMessages, getActivityStreams } from "./ActivityData.js"
import { getActivityAnalysis } from "./Analysis.js"
import { getAthletePowerCurves, getGearList } from "./Athlete.js"
import { addOrUpdateEvent, addOrUpdateNote, deleteEvent, deleteEventsByDateRange } from "./CalendarWrites.js"
import { getAthleteCurves } from "./Curves.js"
import {
  createCustomItem,
  deleteCustomItem,
  getCustomItemById,
  getCustomItems,
  updateCustomItem
} from "./CustomItems.js"
import { getEventById, getEvents } from "./Events.js"
import { getFitness } from "./Fitness.js"
import { getAthleteProfile, listAthletes } from "./Profile.js"
import { searchActivities } from "./Search.js"
import { getTrainingSummary } from "./Summary.js"
import type { AnyTool } from "./Tool.js"
import { getWeatherForecast } from "./Weather.js"
import { undoLastWrite } from "./Undo.js"
import { getWellnessData } from "./Wellness.js"
import { validateWorkout } from "./Workouts.js"
import { deleteLibraryWorkout, exportWorkout, getWorkoutLibrary, saveLibraryWorkout } from "./Library.js"
import { addEventsBulk, moveEvents } from "./Planning.js"
import { deleteActivity, updateActivity, updateSportSettings, updateWellness } from "./Records.js"

export const allTools: ReadonlyArray<AnyTool> = [
  // Who the athlete is and where their training stands.
  getAthleteProfile,
  updateSportSettings,
  listAthletes,
  getFitness,
  getTrainingSummary,
  // What was done.
  getActivities,
  searchActivities,
  getActivityDetails,
  getActivityIntervals,
  getActivityAnalysis,
  getActivityStreams,
  getActivityMessages,
  addActivityMessage,
  updateActivity,
  deleteActivity,
  getWellnessData,
  updateWellness,
  // What is planned.
  getEvents,
  getEventById,
  validateWorkout,
  addOrUpdateEvent,
  addEventsBulk,
  moveEvents,
  addOrUpdateNote,
  deleteEvent,
  deleteEventsByDateRange,
  getWorkoutLibrary,
  saveLibraryWorkout,
  deleteLibraryWorkout,
  exportWorkout,
  // The rest of the account.
  getCustomItems,
  getCustomItemById,
  createCustomItem,
  updateCustomItem,
  deleteCustomItem,
  getAthletePowerCurves,
  getAthleteCurves,
  getGearList,
  getWeatherForecast,
  undoLastWrite
]

export const writes = (tool: AnyTool): boolean => tool.annotations.readOnlyHint !== true

/**
 * `read-only` registers no tool that writes; `safe` all but those that destroy what cannot be put back (a library
 * workout, an activity); `full` all. The other limits of safe mode live in the tools.
 */
export const toolsFor = (mode: WriteMode): ReadonlyArray<AnyTool> =>
  mode === "read-only"
    ? allTools.filter((tool) => !writes(tool))
    : mode === "safe"
    ? allTools.filter((tool) => tool.fullModeOnly !== true)
    : allTools

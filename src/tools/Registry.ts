/**
 * Every tool this server offers, by toolset, in the order `tools/list` shows them, and which of them a write mode
 * and the toolsets asked for register.
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
import { type Toolset, TOOLSETS } from "./Toolsets.js"
import { getWeatherForecast } from "./Weather.js"
import { undoLastWrite } from "./Undo.js"
import { getWellnessData } from "./Wellness.js"
import { validateWorkout } from "./Workouts.js"
import { deleteLibraryWorkout, exportWorkout, getWorkoutLibrary, saveLibraryWorkout } from "./Library.js"
import { addEventsBulk, moveEvents } from "./Planning.js"
import { deleteActivity, updateActivity, updateSportSettings, updateWellness } from "./Records.js"

/** Each toolset's tools, in the order `tools/list` shows them. */
export const toolsets: Readonly<Record<Toolset, ReadonlyArray<AnyTool>>> = {
  // Who the athlete is, where their training stands, what was done and what is planned: most questions, and a
  // week planned one workout at a time.
  core: [
    getAthleteProfile,
    listAthletes,
    getFitness,
    getTrainingSummary,
    getActivities,
    searchActivities,
    getActivityDetails,
    getActivityIntervals,
    getWellnessData,
    getEvents,
    getEventById,
    addOrUpdateEvent,
    deleteEvent,
    undoLastWrite
  ],
  analysis: [
    getActivityAnalysis,
    getActivityStreams,
    getActivityMessages,
    getAthletePowerCurves,
    getAthleteCurves,
    getWeatherForecast
  ],
  planning: [validateWorkout, addEventsBulk, moveEvents, addOrUpdateNote, deleteEventsByDateRange],
  library: [getWorkoutLibrary, saveLibraryWorkout, deleteLibraryWorkout, exportWorkout],
  records: [updateActivity, deleteActivity, updateWellness, updateSportSettings, addActivityMessage, getGearList],
  custom: [getCustomItems, getCustomItemById, createCustomItem, updateCustomItem, deleteCustomItem]
}

export const allTools: ReadonlyArray<AnyTool> = TOOLSETS.flatMap((set) => toolsets[set])

/** The toolset a tool belongs to. */
export const toolsetOf = (name: string): Toolset | undefined =>
  TOOLSETS.find((set) => toolsets[set].some((tool) => tool.name === name))

export const writes = (tool: AnyTool): boolean => tool.annotations.readOnlyHint !== true

/**
 * The tools of the core and of the `sets` asked for, as the write mode allows: `read-only` registers no tool that writes; `safe` all but those that destroy what cannot be put back (a library
 * workout, an activity); `full` all. The other limits of safe mode live in the tools.
 */
export const toolsFor = (mode: WriteMode, sets: ReadonlyArray<Toolset>): ReadonlyArray<AnyTool> =>
  TOOLSETS.filter((set) => set === "core" || sets.includes(set)).flatMap((set) => toolsets[set]).filter((tool) =>
    mode === "read-only" ? !writes(tool) : mode === "safe" ? tool.fullModeOnly !== true : true
  )

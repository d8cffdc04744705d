/**
 * The timeline's vertical layout in CSS px, without the DOM: the ruler, a lane's row, a counter's
 * track. The timeline draws with these and Node tests read pixels with them.
 */
export const AXIS_HEIGHT = 22;
/** A lane's row when there is room; rows shrink towards MIN_ROW_HEIGHT so that every lane fits. */
export const ROW_HEIGHT = 20;
/** The least a row shrinks to: its bar still ~10 px, its label still the panel's font. */
export const MIN_ROW_HEIGHT = 14;
/** Height of a counter's track under the lanes. */
export const TRACK_HEIGHT = 28;

/**
 * The timeline's vertical layout in CSS px, without the DOM: the ruler, a lane's row, a counter's
 * track. The timeline draws with these and Node tests read pixels with them.
 */
export const AXIS_HEIGHT = 22;
export const ROW_HEIGHT = 20;
/** Height of a counter's track under the lanes. */
export const TRACK_HEIGHT = 28;

/** The coordinator's notion of now; tests move it forward instead of sleeping. */
export type Clock = () => Date;

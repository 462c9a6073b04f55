/**
 * Named crash points for failure tests: a process armed with a point's name
 * kills itself with SIGKILL when it reaches that point, exactly as a machine
 * losing power would. Armed only from CAREFED_FAULT under NODE_ENV=test
 * (platform/config refuses it otherwise); unarmed, a point costs one compare.
 */
let armed: string | undefined;

/** Arms one fault point for this process. */
export function armFault(name: string | undefined): void {
  armed = name;
}

/** Crashes the process here if this point is armed. */
export function faultPoint(name: string): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}

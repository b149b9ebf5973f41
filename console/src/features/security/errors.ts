// How the Security screen words a failed call.

export interface CallError {
  code?: string;
  message?: string;
}

/** errMessage is a failed call's message, for an ErrorState. */
export function errMessage(e: unknown): string {
  return (e as CallError | undefined)?.message || "Unknown error";
}

/**
 * unavailable says whether the controller does not serve security data at
 * all (an older controller: Unimplemented), which is not worth a retry.
 */
export function unavailable(e: unknown): boolean {
  return (e as CallError | undefined)?.code === "Unimplemented";
}

export const unavailableText = "This controller does not serve security findings: upgrade it to a release with SecurityService.";

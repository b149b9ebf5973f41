// How the admin screens word a failed call.

/** errText is a failed call's message (the controller's sentence), for an ErrorState or a dialog. */
export function errText(e: unknown): string {
  return (e as { message?: string } | undefined)?.message || "Unknown error";
}

/** errCode is a failed call's Connect code name ("PermissionDenied"), or "". */
export function errCode(e: unknown): string {
  return (e as { code?: string } | undefined)?.code ?? "";
}

import { Link, useRouteError } from "react-router";

/** RouteError is shown for unknown paths and for screens that failed to load (e.g. offline before their chunk was cached). */
export function RouteError({ notFound = false }: { notFound?: boolean }) {
  const err = useRouteError() as { message?: string } | undefined;
  return (
    <div role="alert" className="mx-auto max-w-lg p-8 text-center">
      <h1 className="mb-2 text-xl font-semibold">{notFound ? "Page not found" : "This screen could not be loaded"}</h1>
      <p className="mb-4 text-sm text-muted-foreground">
        {notFound ? "There is nothing at this address." : (err?.message ?? "An unexpected error happened.")}
      </p>
      <Link className="text-primary underline" to="/">
        Back to the overview
      </Link>
    </div>
  );
}

/// <reference lib="webworker" />
import { runLayout, type LayoutRequest } from "./layout";

// The force layout runs here so a 500-node graph never blocks scrolling or typing.
self.onmessage = (e: MessageEvent<LayoutRequest & { seq: number }>) => {
  const positions = runLayout(e.data);
  (self as unknown as DedicatedWorkerGlobalScope).postMessage({ seq: e.data.seq, positions });
};

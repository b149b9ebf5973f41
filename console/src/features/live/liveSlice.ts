import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { CountsView } from "@/api/model";

export type StreamStatus = "connecting" | "online" | "offline";

/** ActivityItem is one line of the activity feed. */
export interface ActivityItem {
  at: string;
  text: string;
  kind: "findings" | "agent" | "scan" | "leader" | "security";
}

export interface LiveState {
  status: StreamStatus;
  counts: CountsView | null;
  revision: string;
  activity: ActivityItem[];
  /** When the next reconnect is due, while offline. */
  retryAt: number | null;
}

const initialState: LiveState = { status: "connecting", counts: null, revision: "0", activity: [], retryAt: null };
const maxActivity = 50;

const liveSlice = createSlice({
  name: "live",
  initialState,
  reducers: {
    streamConnecting(state) {
      state.status = "connecting";
      state.retryAt = null;
    },
    streamOnline(state) {
      state.status = "online";
      state.retryAt = null;
    },
    streamOffline(state, action: PayloadAction<number | null>) {
      state.status = "offline";
      state.retryAt = action.payload;
    },
    countsReceived(state, action: PayloadAction<{ counts: CountsView; revision: string }>) {
      state.counts = action.payload.counts;
      state.revision = action.payload.revision;
    },
    activityAdded(state, action: PayloadAction<ActivityItem>) {
      state.activity.unshift(action.payload);
      if (state.activity.length > maxActivity) state.activity.length = maxActivity;
    },
  },
});

export const { streamConnecting, streamOnline, streamOffline, countsReceived, activityAdded } = liveSlice.actions;
export default liveSlice.reducer;

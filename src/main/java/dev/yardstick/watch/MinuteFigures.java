package dev.yardstick.watch;

import java.util.Arrays;

/**
 * Cost and requests per minute (minutes since the epoch), sorted by minute, in primitive arrays: what
 * one replica has seen of one session. Events mostly arrive in time order, so adding is usually an
 * append; a late event is inserted in place.
 */
final class MinuteFigures {

    /** Minutes in a runaway window: a window ending at minute m covers m-14 .. m. */
    static final int WINDOW_MINUTES = 15;

    private long[] minutes = new long[4];
    private double[] costs = new double[4];
    private long[] requests = new long[4];
    private int size;

    /** The largest 15-minute figures among the windows ending at or after a minute. */
    record Peak(double costUsd, long requests) {
    }

    int size() {
        return size;
    }

    long minute(int i) {
        return minutes[i];
    }

    double cost(int i) {
        return costs[i];
    }

    long requests(int i) {
        return requests[i];
    }

    void add(long minute, double cost, long reqs) {
        int i;
        if (size == 0 || minutes[size - 1] < minute) {
            i = size;
        } else if (minutes[size - 1] == minute) {
            costs[size - 1] += cost;
            requests[size - 1] += reqs;
            return;
        } else {
            i = Arrays.binarySearch(minutes, 0, size, minute);
            if (i >= 0) {
                costs[i] += cost;
                requests[i] += reqs;
                return;
            }
            i = -i - 1;
        }
        if (size == minutes.length) {
            int capacity = size * 2;
            minutes = Arrays.copyOf(minutes, capacity);
            costs = Arrays.copyOf(costs, capacity);
            requests = Arrays.copyOf(requests, capacity);
        }
        System.arraycopy(minutes, i, minutes, i + 1, size - i);
        System.arraycopy(costs, i, costs, i + 1, size - i);
        System.arraycopy(requests, i, requests, i + 1, size - i);
        minutes[i] = minute;
        costs[i] = cost;
        requests[i] = reqs;
        size++;
    }

    /** What {@link #take} took off a minute. */
    record Taken(double costUsd, long requests) {
    }

    /**
     * Takes up to {@code cost} and {@code reqs} off a minute, never below zero, and forgets the minute when nothing
     * is left of it; returns what it took (nothing when the minute is not held).
     */
    Taken take(long minute, double cost, long reqs) {
        int i = Arrays.binarySearch(minutes, 0, size, minute);
        if (i < 0) {
            return new Taken(0, 0);
        }
        double c = Math.min(cost, costs[i]);
        long r = Math.min(reqs, requests[i]);
        costs[i] -= c;
        requests[i] -= r;
        if (costs[i] < 1e-9 && requests[i] == 0) {
            System.arraycopy(minutes, i + 1, minutes, i, size - i - 1);
            System.arraycopy(costs, i + 1, costs, i, size - i - 1);
            System.arraycopy(requests, i + 1, requests, i, size - i - 1);
            size--;
        }
        return new Taken(c, r);
    }

    /** The cost and requests of the minutes {@code from} to {@code to}, both included. */
    Peak sum(long from, long to) {
        double cost = 0;
        long reqs = 0;
        for (int i = lowerBound(from); i < size && minutes[i] <= to; i++) {
            cost += costs[i];
            reqs += requests[i];
        }
        return new Peak(cost, reqs);
    }

    /** Whether a minute got usage. */
    boolean has(long minute) {
        return Arrays.binarySearch(minutes, 0, size, minute) >= 0;
    }

    /** Adds all of {@code other}. */
    void addAll(MinuteFigures other) {
        for (int i = 0; i < other.size; i++) {
            add(other.minutes[i], other.costs[i], other.requests[i]);
        }
    }

    void clear() {
        size = 0;
    }

    /** Forgets the minutes before {@code minute}. */
    void dropBefore(long minute) {
        int from = lowerBound(minute);
        if (from > 0) {
            System.arraycopy(minutes, from, minutes, 0, size - from);
            System.arraycopy(costs, from, costs, 0, size - from);
            System.arraycopy(requests, from, requests, 0, size - from);
            size -= from;
        }
    }

    /** The index of the first minute at or after {@code minute}. */
    int lowerBound(long minute) {
        int i = Arrays.binarySearch(minutes, 0, size, minute);
        return i >= 0 ? i : -i - 1;
    }

    /** The largest cost and request sums of the 15-minute windows ending at or after {@code from}. */
    Peak peak(long from) {
        int start = lowerBound(from - (WINDOW_MINUTES - 1));
        int lo = start;
        double cost = 0, bestCost = 0;
        long reqs = 0, bestReqs = 0;
        for (int j = start; j < size; j++) {
            cost += costs[j];
            reqs += requests[j];
            while (minutes[lo] <= minutes[j] - WINDOW_MINUTES) {
                cost -= costs[lo];
                reqs -= requests[lo];
                lo++;
            }
            if (minutes[j] >= from) {
                bestCost = Math.max(bestCost, cost);
                bestReqs = Math.max(bestReqs, reqs);
            }
        }
        return new Peak(bestCost, bestReqs);
    }

    /**
     * How many minutes the run of activity ending at the last minute lasts, counting only minutes at
     * or after {@code from} and allowing pauses of up to {@code gap} minutes.
     */
    long run(long from, long gap) {
        if (size == 0 || minutes[size - 1] < from) {
            return 0;
        }
        long end = minutes[size - 1];
        long start = end;
        for (int i = size - 2; i >= 0 && minutes[i] >= from; i--) {
            if (start - minutes[i] > gap) {
                break;
            }
            start = minutes[i];
        }
        return end - start;
    }
}

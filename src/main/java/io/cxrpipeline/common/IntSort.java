package io.cxrpipeline.common;

/**
 * Stable merge sort of an {@code int[]} by a comparator on the ints: sorts indexes into parallel primitive
 * arrays without boxing a million {@code Integer}s.
 */
public final class IntSort {

    /** Compares two ints (typically indexes into parallel arrays). */
    @FunctionalInterface
    public interface IntComparator {
        int compare(int a, int b);
    }

    private IntSort() {
    }

    /** Sorts {@code a} in place, stably. */
    public static void sort(int[] a, IntComparator comparator) {
        if (a.length < 2) {
            return;
        }
        int[] buffer = new int[a.length];
        mergeSort(a, buffer, 0, a.length, comparator);
    }

    /** The ints {@code 0..n-1}. */
    public static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void mergeSort(int[] a, int[] buffer, int from, int to, IntComparator c) {
        if (to - from <= 16) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= from && c.compare(a[j], v) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, buffer, from, mid, c);
        mergeSort(a, buffer, mid, to, c);
        if (c.compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, buffer, from, to - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            a[k++] = c.compare(buffer[j], buffer[i]) < 0 ? buffer[j++] : buffer[i++];
        }
        while (i < mid) {
            a[k++] = buffer[i++];
        }
        while (j < to) {
            a[k++] = buffer[j++];
        }
    }
}

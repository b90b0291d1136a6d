package io.cxrpipeline.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IntSortTest {

    @Test
    void sortsLikeTheJdkAndKeepsEqualKeysInOrder() {
        Random random = new Random(1);
        for (int n : new int[] {0, 1, 2, 15, 16, 17, 100, 10_000}) {
            int[] keys = new int[n];
            for (int i = 0; i < n; i++) {
                keys[i] = random.nextInt(50);
            }
            int[] order = IntSort.identity(n);
            IntSort.sort(order, (a, b) -> Integer.compare(keys[a], keys[b]));
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i;
            }
            // The JDK's object sort is stable too: both give equal keys in index order.
            Arrays.sort(expected, Comparator.comparingInt(i -> keys[i]));
            assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), order, "n = " + n);
        }
    }

    @Test
    void hashesAreStableAcrossReleases() {
        // Seeded orders, split ids and content grouping depend on these exact values.
        assertEquals(0x177420f0a8779217L, Hashes.of("train/NORMAL/IM-0115-0001.jpeg"));
        assertEquals(0xf52a15e9a9b5e89bL, Hashes.of(""), "the FNV-1a offset basis, mixed");
        assertNotEquals(Hashes.seeded(1, 2, 3), Hashes.seeded(2, 2, 3));
    }
}

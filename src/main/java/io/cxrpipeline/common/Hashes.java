package io.cxrpipeline.common;

import java.nio.charset.StandardCharsets;

/**
 * Fast, stable 64-bit hashes (FNV-1a, then the SplitMix64 finaliser to spread the bits). Stable across JVMs
 * and releases, unlike {@link String#hashCode()} mixing or {@code HashMap} order: they decide persistent
 * things such as seeded orderings. Not cryptographic.
 */
public final class Hashes {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashes() {
    }

    /** Hash of a string's UTF-8 bytes. */
    public static long of(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return of(bytes, 0, bytes.length);
    }

    /** Hash of {@code bytes[from..to)}. */
    public static long of(byte[] bytes, int from, int to) {
        long h = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            h ^= bytes[i] & 0xff;
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    /** SplitMix64's finaliser: a bijection on longs that turns nearby inputs into unrelated outputs. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seeded hash of a value: different seeds (and salts) give independent orderings. */
    public static long seeded(long seed, long salt, long value) {
        return mix(mix(seed ^ mix(salt)) ^ value);
    }
}

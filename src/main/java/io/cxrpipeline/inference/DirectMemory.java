package io.cxrpipeline.inference;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

import org.jboss.logging.Logger;

/**
 * Frees a direct buffer now rather than whenever the garbage collector gets to it: a model read into memory is
 * hundreds of MB of native memory that a function with a small heap might otherwise keep for a long time.
 */
public final class DirectMemory {

    private static final Logger LOG = Logger.getLogger(DirectMemory.class);
    /** {@code sun.misc.Unsafe#invokeCleaner} (jdk.unsupported), or null where it cannot be reached. */
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method invokeCleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("direct buffers are left to the garbage collector: %s", e.getMessage());
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invokeCleaner;
    }

    private DirectMemory() {
    }

    /** Frees a direct buffer that nothing uses any more; other buffers are left alone. */
    public static void free(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect() || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("direct buffer left to the garbage collector: %s", e.getMessage());
        }
    }
}

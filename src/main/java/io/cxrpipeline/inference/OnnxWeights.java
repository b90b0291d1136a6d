package io.cxrpipeline.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX model as ONNX Runtime loads it fastest: the graph in one file, the large weights apart in another
 * that the graph refers to as external data. ONNX Runtime then maps the weights instead of parsing them out of the
 * protobuf, and creates a VGG16 session in about half the time, with the same outputs (docs/benchmarks.md, session
 * options).
 *
 * <p>Only the main graph's initializers with {@code raw_data} of at least {@link #MIN_BYTES} and a plain numeric type
 * are moved; everything else is copied through unchanged. The format is protobuf (onnx.proto3): ModelProto.graph = 7,
 * GraphProto.initializer = 5, TensorProto dims = 1, data_type = 2, name = 8, raw_data = 9, external_data = 13,
 * data_location = 14.
 */
public final class OnnxWeights {

    /** Smaller initializers stay in the graph: moving them saves nothing. */
    static final int MIN_BYTES = 1024;
    /** The external-data location written into moved initializers; never read (the data is supplied). */
    static final String LOCATION = "cxr-external-initializer";

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int DATA_LOCATION_EXTERNAL = 1;

    /**
     * A weight moved out of the graph: its bytes are {@code length} bytes at {@code offset} of the model buffer
     * (little-endian, as ONNX stores them).
     *
     * @param dataType the ONNX {@code TensorProto.DataType} (1 float, 2 uint8, 3 int8, 5 int16, 6 int32, 7 int64,
     *                 11 double)
     */
    public record Weight(String name, int dataType, long[] dims, int offset, int length) {
    }

    /** The graph without the moved weights, and the weights. */
    public record Split(byte[] graph, List<Weight> weights) {
    }

    private OnnxWeights() {
    }

    /**
     * Splits the model in {@code model} (from its position to its limit; the buffer's position is not moved); the
     * moved weights refer to a placeholder location.
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message
     */
    public static Split split(ByteBuffer model) {
        return split(model, null);
    }

    /**
     * As {@link #split(ByteBuffer)}, with the moved initializers pointing into the model file itself: external data
     * at {@code location} (the file's name), at the offsets where the model file holds them. ONNX Runtime then maps
     * the weights from the file instead of receiving them.
     */
    public static Split split(ByteBuffer model, String location) {
        List<Weight> weights = new ArrayList<>();
        byte[] graph = rewriteModel(model, location, w -> {
            weights.add(w);
            return location == null ? 0 : w.offset();
        });
        return new Split(graph, List.copyOf(weights));
    }

    /** Alignment of each weight in the weights file: page-aligned data can be mapped in place. */
    static final int ALIGNMENT = 4096;

    /**
     * Writes the model's large weights into {@code weightsFile}, each at a page-aligned offset, and returns the graph
     * that refers to them by the file's name (ONNX Runtime resolves it against the graph file's directory).
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed protobuf message, or the model already
     *                                  keeps weights in external data files
     */
    public static byte[] writeWeights(ByteBuffer model, Path weightsFile) throws IOException {
        try (FileChannel out = FileChannel.open(weightsFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long[] end = {0};
            return rewriteModel(model, weightsFile.getFileName().toString(), w -> {
                long at = (end[0] + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
                ByteBuffer bytes = model.slice(model.position() + w.offset(), w.length());
                try {
                    for (long pos = at; bytes.hasRemaining();) {
                        pos += out.write(bytes, pos);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                end[0] = at + w.length();
                return at;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Decides where a moved weight's data is: the offset its external-data reference names. */
    private interface Placement {
        long place(Weight weight);
    }

    /**
     * The model with its large weights replaced by external-data references, in one walk.
     *
     * @param location the external data file named in the references, or null for a placeholder
     */
    private static byte[] rewriteModel(ByteBuffer model, String location, Placement placement) {
        ByteBuffer b = model.duplicate();
        int start = b.position();
        try {
            return rewrite(b, start, b.limit(), MODEL_GRAPH, (g, gs, ge) -> rewrite(g, gs, ge, GRAPH_INITIALIZER,
                    (t, ts, te) -> tensor(t, ts, te, start, location, placement)));
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new IllegalArgumentException("not a well-formed ONNX model: " + e, e);
        }
    }

    /** Rewrites one field of a message. */
    private interface FieldRewriter {
        byte[] rewrite(ByteBuffer b, int start, int end);
    }

    /** Copies the message in [start, end), passing every length-delimited field {@code target} through {@code f}. */
    private static byte[] rewrite(ByteBuffer b, int start, int end, int target, FieldRewriter f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(end - start, 1 << 20));
        b.position(start);
        while (b.position() < end) {
            int fieldStart = b.position();
            long tag = varint(b);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == target && wire == 2) {
                int length = length(b, end);
                int from = b.position();
                byte[] inner = f.rewrite(b, from, from + length);
                b.position(from + length);
                writeBytes(out, field, inner);
            } else {
                skip(b, wire, end);
                copy(b, fieldStart, b.position(), out);
            }
        }
        return out.toByteArray();
    }

    /** One initializer: moved out (and replaced by an external-data reference) or copied through. */
    private static byte[] tensor(ByteBuffer b, int start, int end, int base, String location, Placement placement) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(64);
        String name = null;
        int dataType = 0;
        List<Long> dims = new ArrayList<>();
        int rawOffset = -1;
        int rawLength = 0;
        boolean external = false;
        b.position(start);
        while (b.position() < end) {
            int fieldStart = b.position();
            long tag = varint(b);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == TENSOR_RAW_DATA && wire == 2) {
                rawLength = length(b, end);
                rawOffset = b.position();
                b.position(rawOffset + rawLength);
                continue;
            }
            if (field == TENSOR_NAME && wire == 2) {
                byte[] s = new byte[length(b, end)];
                b.get(s);
                name = new String(s, StandardCharsets.UTF_8);
            } else if (field == TENSOR_DATA_TYPE && wire == 0) {
                dataType = (int) varint(b);
            } else if (field == TENSOR_DIMS && wire == 0) {
                dims.add(varint(b));
            } else if (field == TENSOR_DIMS && wire == 2) {
                int packedEnd = b.position() + length(b, end);
                while (b.position() < packedEnd) {
                    dims.add(varint(b));
                }
            } else if (field == TENSOR_DATA_LOCATION && wire == 0) {
                external |= varint(b) == DATA_LOCATION_EXTERNAL;
            } else {
                external |= field == TENSOR_EXTERNAL_DATA;
                skip(b, wire, end);
            }
            copy(b, fieldStart, b.position(), kept);
        }
        if (external && location != null) {
            // Its data lies in files beside the model, which a graph written elsewhere would no longer find.
            throw new IllegalArgumentException("the model keeps initializer " + name + " in an external data file");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        if (rawOffset < 0 || rawLength < MIN_BYTES || name == null || name.isEmpty() || external
                || !matches(dataType, shape, rawLength)) {
            ByteArrayOutputStream whole = new ByteArrayOutputStream(end - start);
            copy(b, start, end, whole);
            return whole.toByteArray();
        }
        long offset = placement.place(new Weight(name, dataType, shape, rawOffset - base, rawLength));
        entry(kept, "location", location == null ? LOCATION : location);
        entry(kept, "offset", Long.toString(offset));
        entry(kept, "length", Integer.toString(rawLength));
        writeVarint(kept, (long) TENSOR_DATA_LOCATION << 3);
        writeVarint(kept, DATA_LOCATION_EXTERNAL);
        return kept.toByteArray();
    }

    /** Bytes per element of the types that are moved; 0 for the others (which stay in the graph). */
    static int elementSize(int dataType) {
        return switch (dataType) {
            case 2, 3 -> 1;
            case 5 -> 2;
            case 1, 6 -> 4;
            case 7, 11 -> 8;
            default -> 0;
        };
    }

    private static boolean matches(int dataType, long[] dims, int rawLength) {
        int size = elementSize(dataType);
        if (size == 0) {
            return false;
        }
        long count = 1;
        for (long d : dims) {
            if (d < 0 || (d > 0 && count > Long.MAX_VALUE / d)) {
                return false;
            }
            count *= d;
        }
        return count * size == rawLength;
    }

    private static void entry(ByteArrayOutputStream out, String key, String value) {
        ByteArrayOutputStream e = new ByteArrayOutputStream(32);
        writeBytes(e, 1, key.getBytes(StandardCharsets.UTF_8));
        writeBytes(e, 2, value.getBytes(StandardCharsets.UTF_8));
        writeBytes(out, TENSOR_EXTERNAL_DATA, e.toByteArray());
    }

    private static long varint(ByteBuffer b) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            result |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("not a well-formed ONNX model: a varint longer than 10 bytes");
    }

    private static int length(ByteBuffer b, int end) {
        long n = varint(b);
        if (n < 0 || n > end - b.position()) {
            throw new IllegalArgumentException("not a well-formed ONNX model: a field runs past its message");
        }
        return (int) n;
    }

    private static void skip(ByteBuffer b, int wire, int end) {
        switch (wire) {
            case 0 -> varint(b);
            case 1 -> b.position(checked(b, 8, end));
            case 2 -> {
                int n = length(b, end);
                b.position(b.position() + n);
            }
            case 5 -> b.position(checked(b, 4, end));
            default -> throw new IllegalArgumentException("not a well-formed ONNX model: wire type " + wire);
        }
    }

    private static int checked(ByteBuffer b, int n, int end) {
        if (b.position() + n > end) {
            throw new IllegalArgumentException("not a well-formed ONNX model: a field runs past its message");
        }
        return b.position() + n;
    }

    private static void copy(ByteBuffer b, int from, int to, ByteArrayOutputStream out) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        out.writeBytes(bytes);
    }

    private static void writeBytes(ByteArrayOutputStream out, int field, byte[] value) {
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, value.length);
        out.writeBytes(value);
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}

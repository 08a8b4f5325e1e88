package io.tickstream.feed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.wire.BinaryWireCode;
import net.openhft.chronicle.wire.Wires;

/**
 * Checks the cycle files ({@code *.cq4}) of a queue directory for damage a reader would otherwise
 * not notice: a file cut short (truncated), emptied, or whose header cannot be read. Cheap: it
 * reads each file's header and the length word of its last record, never the records themselves
 * (a record's own bytes are checked by its checksum, see {@link QueueCodec}).
 *
 * <p>Files are read through a {@link FileChannel}, never memory-mapped and never written: a
 * check cannot fault on a short file, nor change one.
 *
 * <p>What the header holds: a cycle file starts with a metadata document (a little-endian length
 * word, then binary wire) {@code header: !SCQStore { writePosition: [pos, seq], indexing: ... }}.
 * {@code pos} is the offset of the last record's length word, which the writer updates after each
 * record, so a file shorter than the end of that record has lost data. (Only constants of
 * Chronicle Wire are used here, inlined by the compiler.)
 *
 * <p>Stateless and thread-safe.
 */
public final class QueueFiles {

    /** Cycle files end with this. */
    public static final String CYCLE_SUFFIX = ".cq4";

    /** Enough for any cycle file header (it is under 300 bytes). */
    private static final int HEADER_READ = 4096;

    private QueueFiles() {
    }

    /** The cycle files of {@code dir}, oldest first (their names sort by time); none when it cannot be listed. */
    public static List<Path> cycleFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(CYCLE_SUFFIX)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** One line per damaged cycle file of {@code dir}, naming it and what is wrong; empty when all are whole. */
    public static List<String> damage(Path dir) {
        List<String> out = new ArrayList<>();
        for (Path file : cycleFiles(dir)) {
            String problem = problem(file);
            if (problem != null) {
                out.add("queue file " + file + " " + problem);
            }
        }
        return out;
    }

    /**
     * What is wrong with one cycle file ("is truncated: ..."), or null when it is whole as far as
     * its header tells.
     */
    public static String problem(Path file) {
        String first = problemNow(file);
        if (first == null) {
            return null;
        }
        // A file being written can look short for a moment (its header read after the writer grew
        // it, a new cycle's header not complete yet): only what is still wrong a little later counts.
        try {
            Thread.sleep(RECHECK_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return first;
        }
        return problemNow(file);
    }

    /** How long a file that looks damaged is given before it is looked at again. */
    private static final long RECHECK_MS = 200;

    private static String problemNow(Path file) {
        if (!Files.isReadable(file)) {
            return "cannot be read (permission denied)";
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // the header first, the size after it: a file only grows while it is written, so a size
            // read later is never smaller than what the header read earlier says
            ByteBuffer head = ByteBuffer.allocate(HEADER_READ);
            readFully(ch, head, 0);
            long size = ch.size();
            if (size == 0) {
                return "is empty (0 bytes)";
            }
            if (head.limit() < 4) {
                return "is truncated: " + bytes(size) + ", shorter than a header";
            }
            int word = Integer.reverseBytes(head.getInt(0));
            int length = word & Wires.LENGTH_MASK;
            if ((word & Wires.NOT_COMPLETE) != 0 || length == 0) {
                return "has no complete header (" + bytes(size) + ")";
            }
            if (4 + length > head.limit()) {
                return "is truncated: " + bytes(size) + ", shorter than its header";
            }
            long writePosition = writePosition(head, length);
            if (writePosition < 0) {
                return null;   // a header of another form than this reads: not checked rather than refused
            }
            if (writePosition + 4 > size) {
                return "is truncated: " + bytes(size) + ", its header says data up to at least byte "
                        + String.format(Locale.ROOT, "%,d", writePosition + 4);
            }
            ByteBuffer last = ByteBuffer.allocate(4);
            readFully(ch, last, writePosition);
            int lastLength = Integer.reverseBytes(last.getInt(0)) & Wires.LENGTH_MASK;
            long end = writePosition + 4 + lastLength;
            if (end > size) {
                return "is truncated: " + bytes(size) + ", its header says data up to byte "
                        + String.format(Locale.ROOT, "%,d", end);
            }
            return null;
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
    }

    /** The field name {@code writePosition} as the binary wire writes it: its length in a code byte, then its bytes. */
    private static final byte[] WRITE_POSITION_FIELD = fieldName("writePosition");

    private static byte[] fieldName(String name) {
        byte[] out = new byte[name.length() + 1];
        out[0] = (byte) (BinaryWireCode.FIELD_NAME0 + name.length());
        System.arraycopy(name.getBytes(StandardCharsets.US_ASCII), 0, out, 1, name.length());
        return out;
    }

    /**
     * The {@code writePosition} in a cycle file header ({@code header} holds the file's first
     * bytes, the header document {@code length} bytes after its length word), or -1 when it is
     * not found in a form this reads: an {@code int64} array (position, sequence) or an {@code int64},
     * possibly after padding. Read by hand rather than with Chronicle Wire, whose first use costs
     * seconds of class initialisation: a server refusing a damaged queue says so at once.
     */
    private static long writePosition(ByteBuffer header, int length) {
        int end = 4 + length;
        int at = indexOf(header, WRITE_POSITION_FIELD, 4, end);
        if (at < 0) {
            return -1;
        }
        int i = at + WRITE_POSITION_FIELD.length;
        while (i < end) {
            int code = header.get(i) & 0xFF;
            if (code == BinaryWireCode.PADDING) {
                i++;
            } else if (code == BinaryWireCode.PADDING32 && i + 5 <= end) {
                i += 5 + Integer.reverseBytes(header.getInt(i + 1));
            } else if (code == BinaryWireCode.I64_ARRAY && i + 25 <= end) {
                return Long.reverseBytes(header.getLong(i + 17));   // after capacity and used
            } else if (code == BinaryWireCode.INT64 && i + 9 <= end) {
                return Long.reverseBytes(header.getLong(i + 1));
            } else {
                return -1;
            }
        }
        return -1;
    }

    private static int indexOf(ByteBuffer in, byte[] what, int from, int to) {
        outer:
        for (int i = from; i + what.length <= to; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in.get(i + j) != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long at) throws IOException {
        while (into.hasRemaining()) {
            int n = ch.read(into, at + into.position());
            if (n < 0) {
                break;
            }
        }
        into.flip();
    }

    private static String bytes(long n) {
        return String.format(Locale.ROOT, "%,d bytes", n);
    }
}

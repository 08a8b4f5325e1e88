package io.tickstream.support;

import io.tickstream.feed.FeedMessage;
import io.tickstream.feed.Score;
import io.tickstream.feed.ScoreEvent;
import io.tickstream.feed.Tick;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Queue records as the writers of earlier releases wrote them, byte by byte, independently of
 * {@code QueueCodec}: version 2 (checksummed, events without ids) and version 1 (the same without
 * the checksum). A queue written before an upgrade holds them, and stays readable.
 */
public final class OldRecords {

    private OldRecords() {
    }

    /** {@code m} as a record of version 2; its event's id, if any, is not written (there was none). */
    public static byte[] version2(FeedMessage m) {
        return checksummed(body((byte) 2, m, -1));
    }

    /** {@code m} as a record of version 1: version 2 without the checksum. */
    public static byte[] version1(FeedMessage m) {
        return body((byte) 1, m, -1);
    }

    /**
     * {@code s} (with an event) as a record of version 2 but for its event kind byte (the kind's
     * ordinal + 1), {@code kindByte}: for kinds that version never had.
     */
    public static byte[] version2WithEventKind(Score s, int kindByte) {
        return checksummed(body((byte) 2, s, kindByte));
    }

    private static byte[] checksummed(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        Bytes<?> b = Bytes.allocateElasticOnHeap(body.length + 4);
        b.write(body);
        b.writeInt((int) crc.getValue());
        return b.toByteArray();
    }

    private static byte[] body(byte version, FeedMessage m, int kindByte) {
        Bytes<?> b = Bytes.allocateElasticOnHeap(256);
        b.writeByte(version);
        if (m instanceof Tick t) {
            b.writeByte((byte) 1);
            b.writeLong(t.ts());
            b.writeUtf8(t.symbol());
            b.writeDouble(t.bid());
            b.writeDouble(t.ask());
            b.writeDouble(t.last());
            b.writeStopBit(t.size());
            b.writeStopBit(t.volume());
        } else if (m instanceof Score s) {
            b.writeByte((byte) 2);
            b.writeLong(s.ts());
            b.writeUtf8(s.sport());
            b.writeUtf8(s.match());
            b.writeUtf8(s.home());
            b.writeUtf8(s.away());
            b.writeStopBit(s.homeScore());
            b.writeStopBit(s.awayScore());
            b.writeStopBit(s.clockSeconds());
            b.writeByte((byte) s.status().ordinal());
            if (s.event() == null) {
                b.writeByte((byte) 0);
            } else {
                ScoreEvent e = s.event();
                b.writeByte((byte) (kindByte >= 0 ? kindByte : e.kind().ordinal() + 1));
                b.writeStopBit(e.minute());
                b.writeByte((byte) (e.team() == null ? 0 : e.team().ordinal() + 1));
                b.writeUtf8(e.player() == null ? "" : e.player());
                b.writeUtf8(e.detail() == null ? "" : e.detail());
            }
        }
        return b.toByteArray();
    }
}

package io.tickstream.loadtest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The client's side of one WebSocket opening handshake (RFC 6455, section 4): the upgrade request
 * with a fresh key, and the check of the server's answer, status and {@code Sec-WebSocket-Accept}.
 * No extension is offered, so none can be accepted. Used by one {@link RawSocket}, on its loop.
 */
final class WsUpgrade {

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The longest response head read before giving up on it. */
    static final int MAX_RESPONSE_HEAD = 16 * 1024;

    private final byte[] request;
    private final String expectedAccept;
    private String refusal;

    WsUpgrade(RawSocket.Target target) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        this.expectedAccept = accept(key);
        this.request = ("GET " + target.path() + " HTTP/1.1\r\nHost: " + target.host() + ":" + target.port()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n" + target.headers() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The request's bytes. */
    byte[] request() {
        return request;
    }

    /** The {@code Sec-WebSocket-Accept} a server answers to {@code key}. */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }

    /**
     * Reads the response's head if it is complete in {@code b[0, end)}: returns the index after it,
     * where the server's first frames may already lie, and {@link #refusal()} says whether the server
     * refused; -1 while the head is incomplete.
     */
    int responseHead(byte[] b, int end) {
        for (int i = 3; i < end; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                String head = new String(b, 0, i - 3, StandardCharsets.ISO_8859_1);
                String status = head.lines().findFirst().orElse("");
                if (!status.startsWith("HTTP/1.1 101")) {
                    refusal = "the server answered " + status;
                } else if (!expectedAccept.equals(header(head, "sec-websocket-accept"))) {
                    refusal = "the server's Sec-WebSocket-Accept does not match the key sent";
                }
                return i + 1;
            }
        }
        if (end > MAX_RESPONSE_HEAD) {
            refusal = "a response head longer than " + MAX_RESPONSE_HEAD + " bytes";
            return end;
        }
        return -1;
    }

    /** Why the server's answer does not open the WebSocket, once {@link #responseHead} read it; null when it does. */
    String refusal() {
        return refusal;
    }

    private static String header(String head, String name) {
        return head.lines().skip(1).filter(l -> l.toLowerCase(Locale.ROOT).startsWith(name + ":"))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse(null);
    }
}

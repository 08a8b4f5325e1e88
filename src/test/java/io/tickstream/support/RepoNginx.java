package io.tickstream.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's {@code nginx/tickstream.conf} run by a real NGINX, rendered for a test as
 * {@code scripts/lib.sh render_nginx} renders it for {@code make cluster}: TLS with a self-signed
 * certificate (made with openssl) on a free local port, the plain-http redirect on another, paths
 * under the test's directory, and the upstream's server lines replaced by the test's servers with
 * the file's own parameters. Everything else is the file as shipped, unless the caller's
 * {@code adjust} changes it (and says why).
 *
 * @param tlsPort  where the file's {@code listen 443 ssl} listens
 * @param httpPort where the file's {@code listen 80} listens
 * @param dir      NGINX's prefix: the rendered files, its logs ({@code access.log}, {@code error.log})
 */
public record RepoNginx(External.Running process, int tlsPort, int httpPort, Path dir) {

    /** The site file as shipped. */
    public static final Path SITE = Path.of("nginx/tickstream.conf");

    /**
     * Renders the file into {@code dir} and starts NGINX on it; returns once both ports accept.
     * The caller stops the returned process (a {@link TestStack} does).
     *
     * @param servers the upstream's servers, {@code HOST:PORT} each
     * @param adjust  applied last to the rendered site, for what a test must change; identity for none
     */
    public static RepoNginx start(Path dir, List<String> servers, UnaryOperator<String> adjust, Duration wait)
            throws Exception {
        String nginx = External.require("nginx");
        String openssl = External.require("openssl");
        Files.createDirectories(dir);
        External.run(dir.resolve("openssl.log"), openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "1", "-subj", "/CN=example.com");
        Files.writeString(dir.resolve("options-ssl.conf"), "ssl_protocols TLSv1.2 TLSv1.3;\n");
        int tlsPort = External.freePort();
        int httpPort = External.freePort();
        String site = adjust.apply(withUpstreams(Files.readString(SITE), servers)
                .replace("listen 443 ssl;", "listen 127.0.0.1:" + tlsPort + " ssl;")
                .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
                .replace("/etc/letsencrypt/live/example.com/fullchain.pem", dir.resolve("cert.pem").toString())
                .replace("/etc/letsencrypt/live/example.com/privkey.pem", dir.resolve("key.pem").toString())
                .replace("/etc/letsencrypt/options-ssl-nginx.conf", dir.resolve("options-ssl.conf").toString())
                .replace("ssl_dhparam /etc/letsencrypt/ssl-dhparams.pem;", "")
                .replace("/var/log/nginx/access.log", dir.resolve("access.log").toString()));
        if (site.contains("/etc/letsencrypt") || !site.contains(":" + tlsPort + " ssl;")) {
            throw new IllegalStateException(SITE + " no longer renders as this class expects: " + site);
        }
        Files.writeString(dir.resolve("tickstream.conf"), site);
        String t = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "user root;", "worker_processes 1;", "daemon off;", "pid " + t + "/nginx.pid;",
                "error_log " + t + "/error.log info;", "events { worker_connections 4096; }",
                "http {", "  access_log " + t + "/access.log;", "  client_body_temp_path " + t + "/body;",
                "  proxy_temp_path " + t + "/proxy;", "  fastcgi_temp_path " + t + "/fastcgi;",
                "  uwsgi_temp_path " + t + "/uwsgi;", "  scgi_temp_path " + t + "/scgi;",
                "  include " + t + "/tickstream.conf;", "}", ""));
        External.Running process = External.start(dir.resolve("nginx.out"),
                List.of(nginx, "-p", t, "-c", t + "/nginx.conf"));
        try {
            External.awaitPort(process, tlsPort, wait);
            External.awaitPort(process, httpPort, wait);
        } catch (Exception | AssertionError e) {
            process.close();
            throw e;
        }
        return new RepoNginx(process, tlsPort, httpPort, dir);
    }

    /**
     * The file with its upstream's server lines (three edges) replaced by one line per address in
     * {@code servers}, each with the file's parameters ({@code max_fails}).
     */
    public static String withUpstreams(String site, List<String> servers) {
        Matcher line = Pattern.compile("(?m)^(\\s*)server 127\\.0\\.0\\.1:\\d+( [^;\\n]*)?;\\n").matcher(site);
        StringBuilder out = new StringBuilder();
        int lines = 0;
        while (line.find()) {
            String replacement = "";
            if (lines++ == 0) {
                for (String server : servers) {
                    replacement += line.group(1) + "server " + server + (line.group(2) == null ? "" : line.group(2))
                            + ";\n";
                }
            }
            line.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        line.appendTail(out);
        if (lines != 3) {
            throw new IllegalStateException(SITE + ": its upstream lists " + lines + " servers, not the three edges");
        }
        return out.toString();
    }

    /** The error log so far. */
    public String errorLog() throws IOException {
        return Files.readString(dir.resolve("error.log"));
    }
}

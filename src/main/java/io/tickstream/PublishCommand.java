package io.tickstream;

import io.tickstream.config.PublisherConfig;
import io.tickstream.feed.FeedQueue;
import io.tickstream.replication.Endpoint;
import io.tickstream.replication.FeedPublisher;
import net.openhft.chronicle.queue.ChronicleQueue;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/** {@code publish}: the feed host of a cluster (see docs/scaling.md). */
@Command(name = "publish", mixinStandardHelpOptions = true, modelTransformer = Main.SettingsOptions.class,
        description = "Feed host: publish a Chronicle Queue over Aeron, recorded, for edge servers (server "
                + "--upstream) to replicate.")
final class PublishCommand extends Main.SettingsCommand<PublisherConfig> {

    PublishCommand() {
        super(PublisherConfig.SETTINGS);
    }

    @Override
    int run(PublisherConfig config) {
        Endpoint listen = Endpoint.parse(config.get(PublisherConfig.LISTEN));
        FeedPublisher publisher;
        try {
            ChronicleQueue queue = FeedQueue.openForReading(config.get(PublisherConfig.QUEUE),
                    FeedQueue.rollCycle(config.get(PublisherConfig.ROLL_CYCLE)));
            publisher = FeedPublisher.start(queue, FeedQueue.nameOf(queue.rollCycle()), listen,
                    config.get(PublisherConfig.ARCHIVE_DIR), config.get(PublisherConfig.AERON_DIR),
                    config.get(PublisherConfig.AERON_IDLE_MS));
        } catch (FeedQueue.UnusableQueueException e) {
            for (String line : e.getMessage().split("\n")) {
                error(line);
            }
            return 2;
        } catch (FeedPublisher.PublishException e) {
            return fail(1, "cannot start: " + e.getMessage());
        } catch (Exception e) {
            return fail(1, "cannot start: " + e);
        }
        // SIGTERM and Ctrl-C stop it; the archive and driver are closed before the exit, so that
        // a restart may take the archive over at once
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> new Thread(publisher::stop, "publish-stop").start());
        }
        System.out.printf("publish: %s on udp %s (live) and port %d (archive), recording in %s%n",
                config.get(PublisherConfig.QUEUE).toAbsolutePath(), listen, listen.port() + 1,
                config.get(PublisherConfig.ARCHIVE_DIR).toAbsolutePath());
        try {
            publisher.run();
        } catch (FeedPublisher.PublishException e) {
            return fail(3, e.getMessage());
        }
        System.out.printf("publish: stopped after %d records, last seq %d%n", publisher.published(),
                publisher.lastSeq());
        return 0;
    }
}

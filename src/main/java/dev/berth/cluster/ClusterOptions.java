package dev.berth.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.eventbus.EventBusOptions;

/** A node's Hazelcast config and event-bus options, complete before they are handed to Vert.x. */
public record ClusterOptions(Config hazelcast, EventBusOptions eventBus) {
}

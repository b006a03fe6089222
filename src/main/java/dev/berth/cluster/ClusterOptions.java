package dev.berth.cluster;

import com.hazelcast.config.Config;
import io.vertx.core.eventbus.EventBusOptions;

/**
 * A node's Hazelcast config and event-bus options, complete before they are handed to Vert.x, and the watch that
 * Hazelcast tells of the members it meets while the node joins.
 */
public record ClusterOptions(Config hazelcast, EventBusOptions eventBus, JoinWatch joinWatch) {
}

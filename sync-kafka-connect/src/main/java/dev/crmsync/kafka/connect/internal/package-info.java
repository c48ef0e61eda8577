/**
 * The connectors' implementation: settings (ConfigDef and parsing), the record codec (the Connect schema of a
 * CRM record), source partitions and offsets, and the per-(org, type) reader. Not exported.
 */
@NullMarked
package dev.crmsync.kafka.connect.internal;

import org.jspecify.annotations.NullMarked;

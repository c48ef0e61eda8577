/**
 * Implementation details of the JDBC stores — connection and transaction handling, the typed
 * field JSON codec, the migration runner, input checks. Not part of the API.
 */
package dev.crmsync.jdbc.internal;

/** A {@link dev.crmsync.core.CrmSource} over the Salesforce REST and Bulk API 2.0. */
package dev.crmsync.salesforce;

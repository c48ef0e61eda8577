/** A {@link dev.crmsync.crm.CrmSource} over the Salesforce REST and Bulk API 2.0. */
package dev.crmsync.salesforce;

package dev.crmsync.salesforce.internal;

import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.LeadConvert;
import dev.crmsync.crm.LeadConvertResult;
import dev.crmsync.crm.MergeResult;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The partner SOAP API's {@code convertLead} and {@code merge}: request envelopes (with the
 * {@code SessionHeader}) and response parsing with the JDK's DOM parser (no DTDs, no entities).
 */
public final class SoapCalls {

    /** SOAP 1.1 envelope namespace. */
    public static final String SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/";
    /** Partner API namespace. */
    public static final String PARTNER = "urn:partner.soap.sforce.com";
    /** Partner sObject namespace. */
    public static final String SOBJECT = "urn:sobject.partner.soap.sforce.com";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private SoapCalls() {
    }

    /**
     * @param apiVersion e.g. {@code 62.0}
     * @return the SOAP endpoint's path
     */
    public static String path(String apiVersion) {
        return "/services/Soap/u/" + apiVersion;
    }

    /**
     * @param token the access token
     * @param request the conversion
     * @return the {@code convertLead} envelope
     */
    public static byte[] convertLead(String token, LeadConvert request) {
        StringBuilder b = new StringBuilder("<urn:convertLead><urn:leadConverts>");
        optional(b, "accountId", request.accountId());
        optional(b, "contactId", request.contactId());
        b.append("<urn:convertedStatus>").append(esc(request.convertedStatus())).append("</urn:convertedStatus>");
        b.append("<urn:doNotCreateOpportunity>").append(request.doNotCreateOpportunity())
                .append("</urn:doNotCreateOpportunity>");
        b.append("<urn:leadId>").append(request.leadId()).append("</urn:leadId>");
        if (request.opportunityName() != null) {
            b.append("<urn:opportunityName>").append(esc(request.opportunityName())).append("</urn:opportunityName>");
        }
        b.append("<urn:overwriteLeadSource>").append(request.overwriteLeadSource()).append("</urn:overwriteLeadSource>");
        optional(b, "ownerId", request.ownerId());
        b.append("<urn:sendNotificationEmail>").append(request.sendNotificationEmail())
                .append("</urn:sendNotificationEmail>");
        b.append("</urn:leadConverts></urn:convertLead>");
        return envelope(token, b);
    }

    /**
     * @param token the access token
     * @param type the type
     * @param master the master
     * @param losers the losers
     * @return the {@code merge} envelope
     */
    public static byte[] merge(String token, ObjectType type, CrmId master, List<CrmId> losers) {
        StringBuilder b = new StringBuilder("<urn:merge><urn:request><urn:masterRecord><urn1:type>")
                .append(type.apiName()).append("</urn1:type><urn1:Id>").append(master)
                .append("</urn1:Id></urn:masterRecord>");
        losers.forEach(l -> b.append("<urn:recordToMergeIds>").append(l).append("</urn:recordToMergeIds>"));
        b.append("</urn:request></urn:merge>");
        return envelope(token, b);
    }

    private static byte[] envelope(String token, CharSequence body) {
        String s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"" + SOAPENV
                + "\" xmlns:urn=\"" + PARTNER + "\" xmlns:urn1=\"" + SOBJECT + "\"><soapenv:Header><urn:SessionHeader>"
                + "<urn:sessionId>" + esc(token) + "</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body>"
                + body + "</soapenv:Body></soapenv:Envelope>";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void optional(StringBuilder b, String name, @Nullable CrmId id) {
        if (id != null) {
            b.append("<urn:").append(name).append('>').append(id).append("</urn:").append(name).append('>');
        }
    }

    /**
     * @param body a {@code convertLeadResponse}
     * @param leadId the lead asked for
     * @return its result
     * @throws IllegalStateException if the body has no result
     */
    public static LeadConvertResult convertLeadResult(byte[] body, CrmId leadId) {
        Element r = result(body, "convertLeadResponse");
        if (bool(r, "success")) {
            return new LeadConvertResult(leadId, id(r, "contactId"), id(r, "accountId"), id(r, "opportunityId"), null);
        }
        return LeadConvertResult.rejected(leadId, rejection(r));
    }

    /**
     * @param body a {@code mergeResponse}
     * @param master the master asked for
     * @return its result
     * @throws IllegalStateException if the body has no result
     */
    public static MergeResult mergeResult(byte[] body, CrmId master) {
        Element r = result(body, "mergeResponse");
        if (bool(r, "success")) {
            return new MergeResult(master, ids(r, "mergedRecordIds"), ids(r, "updatedRelatedIds"), null);
        }
        return MergeResult.rejected(master, rejection(r));
    }

    private static Element result(byte[] body, String response) {
        Document doc;
        try {
            doc = parse(body);
        } catch (Exception e) {
            throw new IllegalStateException("unparseable SOAP response");
        }
        Element b = child(doc.getDocumentElement(), SOAPENV, "Body");
        Element resp = b == null ? null : child(b, PARTNER, response);
        Element r = resp == null ? null : child(resp, PARTNER, "result");
        if (r == null) {
            throw new IllegalStateException("SOAP response without " + response + "/result");
        }
        return r;
    }

    private static CrmWriteResult.Rejected rejection(Element r) {
        Element e = child(r, PARTNER, "errors");
        if (e == null) {
            return new CrmWriteResult.Rejected("UNKNOWN_EXCEPTION", "no errors in an unsuccessful result", List.of(),
                    false);
        }
        String code = text(e, PARTNER, "statusCode");
        String message = text(e, PARTNER, "message");
        List<String> fields = new ArrayList<>();
        for (Element f : children(e, PARTNER, "fields")) {
            fields.add(f.getTextContent().trim());
        }
        code = code == null ? "UNKNOWN_EXCEPTION" : code.trim();
        boolean retriable = code.equals("UNABLE_TO_LOCK_ROW");
        return new CrmWriteResult.Rejected(code, message == null ? "" : message, fields, retriable);
    }

    private static boolean bool(Element r, String name) {
        String v = text(r, PARTNER, name);
        return v != null && v.trim().equals("true");
    }

    private static @Nullable CrmId id(Element r, String name) {
        Element e = child(r, PARTNER, name);
        if (e == null || "true".equals(e.getAttributeNS(XSI, "nil")) || e.getTextContent().isBlank()) {
            return null;
        }
        return CrmId.of(e.getTextContent().trim());
    }

    private static List<CrmId> ids(Element r, String name) {
        List<CrmId> out = new ArrayList<>();
        for (Element e : children(r, PARTNER, name)) {
            out.add(CrmId.of(e.getTextContent().trim()));
        }
        return out;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static Document parse(byte[] body) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setExpandEntityReferences(false);
        var b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new ByteArrayInputStream(body));
    }

    /** @param ns the namespace, or null for an unqualified child */
    static @Nullable String text(Element parent, @Nullable String ns, String name) {
        Element e = child(parent, ns, name);
        return e == null ? null : e.getTextContent();
    }

    /** @param ns the namespace, or null for an unqualified child */
    static @Nullable Element child(Element parent, @Nullable String ns, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && java.util.Objects.equals(ns, e.getNamespaceURI())
                    && name.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String ns, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }
}

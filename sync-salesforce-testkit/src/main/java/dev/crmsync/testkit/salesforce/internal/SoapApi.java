package dev.crmsync.testkit.salesforce.internal;

import dev.crmsync.crm.CrmSource;
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
import java.util.function.Predicate;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The fake's SOAP endpoint ({@code POST /services/Soap/u/{version}}, partner WSDL): {@code convertLead}
 * and {@code merge}, with Salesforce's envelopes, the {@code SessionHeader} check, SOAP faults
 * (HTTP 500, {@code sf:} fault codes) and per-result errors. Backed by the same {@link CrmSource} as
 * the REST API, so a lead converted over SOAP reads back converted over REST.
 */
public final class SoapApi {

    /** SOAP 1.1 envelope namespace. */
    public static final String SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/";
    /** Partner API namespace. */
    public static final String PARTNER = "urn:partner.soap.sforce.com";
    /** Partner sObject namespace. */
    public static final String SOBJECT = "urn:sobject.partner.soap.sforce.com";
    /** Partner fault namespace. */
    public static final String FAULT = "urn:fault.partner.soap.sforce.com";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    /** Most LeadConvert elements a call takes. */
    public static final int MAX_CONVERTS = 100;
    /** Most MergeRequest elements a call takes. */
    public static final int MAX_MERGES = 200;

    /** An answer: the HTTP status and the XML body. */
    public record Answer(int status, String xml) {
    }

    private final CrmSource crm;
    private final Predicate<String> sessionValid;

    /**
     * @param crm the org's records
     * @param sessionValid tells whether an access token is a live session
     */
    public SoapApi(CrmSource crm, Predicate<String> sessionValid) {
        this.crm = crm;
        this.sessionValid = sessionValid;
    }

    /**
     * Serves one SOAP request.
     *
     * @param method the HTTP method
     * @param body the request body
     * @return the answer
     */
    public Answer handle(String method, byte[] body) {
        if (!method.equals("POST")) {
            return fault("soapenv:Client", null, "Method not allowed: only POST is supported");
        }
        Document doc;
        try {
            doc = parse(body);
        } catch (Exception e) {
            return fault("soapenv:Client", null, "Unable to parse the SOAP envelope");
        }
        Element env = doc.getDocumentElement();
        if (!SOAPENV.equals(env.getNamespaceURI()) || !"Envelope".equals(env.getLocalName())) {
            return fault("soapenv:VersionMismatch", null, "Wrong SOAP version or envelope namespace");
        }
        Element header = child(env, SOAPENV, "Header");
        Element session = header == null ? null : child(header, PARTNER, "SessionHeader");
        Element sid = session == null ? null : child(session, PARTNER, "sessionId");
        if (sid == null || !sessionValid.test(sid.getTextContent().trim())) {
            return fault("sf:INVALID_SESSION_ID", "UnexpectedErrorFault",
                    "Invalid Session ID found in SessionHeader: Illegal Session");
        }
        Element soapBody = child(env, SOAPENV, "Body");
        Element op = soapBody == null ? null : firstElement(soapBody);
        if (op == null || !PARTNER.equals(op.getNamespaceURI())) {
            return fault("soapenv:Client", null, "No operation available for request "
                    + (op == null ? "(empty body)" : "{" + op.getNamespaceURI() + "}" + op.getLocalName()));
        }
        try {
            return switch (op.getLocalName()) {
                case "convertLead" -> convertLead(op);
                case "merge" -> merge(op);
                default -> fault("soapenv:Client", null, "No operation available for request {" + PARTNER + "}"
                        + op.getLocalName());
            };
        } catch (BadRequest e) {
            return fault("sf:" + e.code, e.code.equals("INVALID_ID_FIELD") ? "InvalidIdFault" : "InvalidFieldFault",
                    e.getMessage());
        }
    }

    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String code;

        BadRequest(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private Answer convertLead(Element op) {
        List<Element> converts = children(op, PARTNER, "leadConverts");
        if (converts.isEmpty() || converts.size() > MAX_CONVERTS) {
            return fault("sf:EXCEEDED_ID_LIMIT", "ApiFault", "convertLead takes 1.." + MAX_CONVERTS
                    + " leadConverts, got " + converts.size());
        }
        StringBuilder out = new StringBuilder("<convertLeadResponse>");
        for (Element c : converts) {
            CrmId leadId = id(c, "leadId", true);
            String status = text(c, "convertedStatus");
            LeadConvertResult r;
            if (status == null || status.isBlank()) {
                r = LeadConvertResult.rejected(leadId, new CrmWriteResult.Rejected("REQUIRED_FIELD_MISSING",
                        "Required field is missing: convertedStatus", List.of("convertedStatus"), false));
            } else if (id(c, "contactId", false) != null && id(c, "accountId", false) == null) {
                r = LeadConvertResult.rejected(leadId, new CrmWriteResult.Rejected("REQUIRED_FIELD_MISSING",
                        "an accountId is required with a contactId", List.of("accountId"), false));
            } else {
                r = crm.convertLead(new LeadConvert(leadId, status, id(c, "accountId", false), id(c, "contactId", false),
                        bool(c, "doNotCreateOpportunity"), blankToNull(text(c, "opportunityName")),
                        id(c, "ownerId", false), bool(c, "overwriteLeadSource"), bool(c, "sendNotificationEmail")));
            }
            out.append("<result>");
            idElement(out, "accountId", r.accountId());
            idElement(out, "contactId", r.contactId());
            r.error().ifPresent(e -> errors(out, e));
            idElement(out, "leadId", r.success() ? r.leadId() : null);
            idElement(out, "opportunityId", r.opportunityId());
            out.append("<success>").append(r.success()).append("</success></result>");
        }
        return ok(out.append("</convertLeadResponse>"));
    }

    private Answer merge(Element op) {
        List<Element> requests = children(op, PARTNER, "request");
        if (requests.isEmpty() || requests.size() > MAX_MERGES) {
            return fault("sf:EXCEEDED_ID_LIMIT", "ApiFault", "merge takes 1.." + MAX_MERGES + " requests, got "
                    + requests.size());
        }
        StringBuilder out = new StringBuilder("<mergeResponse>");
        for (Element rq : requests) {
            Element master = child(rq, PARTNER, "masterRecord");
            if (master == null) {
                throw new BadRequest("INVALID_FIELD", "masterRecord is required");
            }
            String typeName = text(master, SOBJECT, "type");
            if (typeName == null) {
                throw new BadRequest("INVALID_TYPE", "Must send a concrete entity type.");
            }
            ObjectType type;
            try {
                type = ObjectType.of(typeName);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("INVALID_TYPE", "sObject type '" + typeName + "' is not supported.");
            }
            String masterText = text(master, SOBJECT, "Id");
            CrmId masterId = parseId(masterText, "masterRecord.Id");
            List<CrmId> losers = new ArrayList<>();
            for (Element e : children(rq, PARTNER, "recordToMergeIds")) {
                losers.add(parseId(e.getTextContent().trim(), "recordToMergeIds"));
            }
            MergeResult r;
            if (!CrmSource.MERGEABLE_TYPES.contains(type)) {
                r = MergeResult.rejected(masterId, new CrmWriteResult.Rejected("INVALID_TYPE",
                        "Merge is only supported for Lead, Contact and Account", List.of(), false));
            } else if (losers.isEmpty() || losers.size() > CrmSource.MAX_MERGE_LOSERS) {
                r = MergeResult.rejected(masterId, new CrmWriteResult.Rejected("INVALID_OPERATION",
                        "Merge requests take one or two records to merge", List.of("recordToMergeIds"), false));
            } else if (losers.contains(masterId) || losers.stream().distinct().count() != losers.size()) {
                r = MergeResult.rejected(masterId, new CrmWriteResult.Rejected("INVALID_OPERATION",
                        "Cannot merge a record with itself", List.of("recordToMergeIds"), false));
            } else {
                r = crm.mergeRecords(type, masterId, losers);
            }
            out.append("<result>");
            r.error().ifPresent(e -> errors(out, e));
            idElement(out, "id", masterId);
            r.mergedRecordIds().forEach(id -> out.append("<mergedRecordIds>").append(id).append("</mergedRecordIds>"));
            out.append("<success>").append(r.success()).append("</success>");
            r.updatedRelatedIds().forEach(id -> out.append("<updatedRelatedIds>").append(id)
                    .append("</updatedRelatedIds>"));
            out.append("</result>");
        }
        return ok(out.append("</mergeResponse>"));
    }

    // ---------------------------------------------------------------- envelopes

    private static Answer ok(CharSequence body) {
        return new Answer(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"" + SOAPENV
                + "\" xmlns=\"" + PARTNER + "\" xmlns:xsi=\"" + XSI + "\"><soapenv:Body>" + body
                + "</soapenv:Body></soapenv:Envelope>");
    }

    /** A SOAP fault as Salesforce sends one: HTTP 500, an {@code sf:} code, a typed detail. */
    static Answer fault(String faultCode, @Nullable String detailType, String message) {
        String code = faultCode.startsWith("sf:") ? faultCode.substring(3) : null;
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"")
                .append(SOAPENV).append("\" xmlns:sf=\"").append(FAULT).append("\" xmlns:xsi=\"").append(XSI)
                .append("\"><soapenv:Body><soapenv:Fault><faultcode>").append(faultCode).append("</faultcode><faultstring>")
                .append(esc(code == null ? message : code + ": " + message)).append("</faultstring>");
        if (code != null && detailType != null) {
            b.append("<detail><sf:").append(detailType).append(" xsi:type=\"sf:").append(detailType)
                    .append("\"><sf:exceptionCode>").append(code).append("</sf:exceptionCode><sf:exceptionMessage>")
                    .append(esc(message)).append("</sf:exceptionMessage></sf:").append(detailType).append("></detail>");
        }
        return new Answer(500, b.append("</soapenv:Fault></soapenv:Body></soapenv:Envelope>").toString());
    }

    private static void errors(StringBuilder out, CrmWriteResult.Rejected e) {
        out.append("<errors>");
        e.fields().forEach(f -> out.append("<fields>").append(esc(f)).append("</fields>"));
        out.append("<message>").append(esc(e.message())).append("</message><statusCode>").append(esc(e.code()))
                .append("</statusCode></errors>");
    }

    private static void idElement(StringBuilder out, String name, @Nullable CrmId id) {
        if (id == null) {
            out.append('<').append(name).append(" xsi:nil=\"true\"/>");
        } else {
            out.append('<').append(name).append('>').append(id).append("</").append(name).append('>');
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    // ---------------------------------------------------------------- parsing

    static Document parse(byte[] body) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new ByteArrayInputStream(body));
    }

    private static CrmId id(Element parent, String name, boolean required) {
        String v = text(parent, name);
        if (v == null || v.isBlank() || isNil(child(parent, PARTNER, name))) {
            if (required) {
                throw new BadRequest("INVALID_ID_FIELD", "Required field is missing: " + name);
            }
            return null;
        }
        return parseId(v, name);
    }

    private static CrmId parseId(@Nullable String v, String name) {
        if (v == null || v.isBlank()) {
            throw new BadRequest("INVALID_ID_FIELD", "Required field is missing: " + name);
        }
        try {
            return CrmId.of(v.trim());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("INVALID_ID_FIELD", "Invalid id in " + name);
        }
    }

    private static boolean isNil(@Nullable Element e) {
        return e != null && "true".equals(e.getAttributeNS(XSI, "nil"));
    }

    private static boolean bool(Element parent, String name) {
        String v = text(parent, name);
        return v != null && v.trim().equals("true");
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static @Nullable String text(Element parent, String name) {
        return text(parent, PARTNER, name);
    }

    private static @Nullable String text(Element parent, String ns, String name) {
        Element e = child(parent, ns, name);
        return e == null ? null : e.getTextContent();
    }

    static @Nullable Element child(Element parent, String ns, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
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

    private static @Nullable Element firstElement(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                return e;
            }
        }
        return null;
    }

    /** @return the text as UTF-8 bytes */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

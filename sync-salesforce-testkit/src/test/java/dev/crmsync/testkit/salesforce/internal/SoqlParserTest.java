package dev.crmsync.testkit.salesforce.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crmsync.testkit.salesforce.internal.Soql.And;
import dev.crmsync.testkit.salesforce.internal.Soql.Comparison;
import dev.crmsync.testkit.salesforce.internal.Soql.CountAll;
import dev.crmsync.testkit.salesforce.internal.Soql.CountField;
import dev.crmsync.testkit.salesforce.internal.Soql.DateLit;
import dev.crmsync.testkit.salesforce.internal.Soql.DateTimeLit;
import dev.crmsync.testkit.salesforce.internal.Soql.FieldItem;
import dev.crmsync.testkit.salesforce.internal.Soql.In;
import dev.crmsync.testkit.salesforce.internal.Soql.Like;
import dev.crmsync.testkit.salesforce.internal.Soql.Not;
import dev.crmsync.testkit.salesforce.internal.Soql.NullLit;
import dev.crmsync.testkit.salesforce.internal.Soql.NumberLit;
import dev.crmsync.testkit.salesforce.internal.Soql.Op;
import dev.crmsync.testkit.salesforce.internal.Soql.Or;
import dev.crmsync.testkit.salesforce.internal.Soql.StringLit;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoqlParserTest {

    @Test
    void parsesTheKeysetQueryTheClientGenerates() {
        Soql q = SoqlParser.parse("SELECT Id, LastName, SystemModstamp FROM Lead WHERE SystemModstamp > "
                + "2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > '00Q000000000001AAA') "
                + "ORDER BY SystemModstamp, Id LIMIT 2000");
        assertEquals(List.of("Id", "LastName", "SystemModstamp"),
                q.select().stream().map(s -> ((FieldItem) s).name().text()).toList());
        assertEquals("Lead", q.from().text());
        Or or = assertInstanceOf(Or.class, q.where());
        Comparison first = assertInstanceOf(Comparison.class, or.parts().get(0));
        assertEquals(Op.GT, first.op());
        assertEquals(new DateTimeLit(Instant.parse("2024-01-01T00:00:00Z")), first.value());
        And and = assertInstanceOf(And.class, or.parts().get(1));
        assertEquals(new StringLit("00Q000000000001AAA"), ((Comparison) and.parts().get(1)).value());
        assertEquals(2, q.orderBy().size());
        assertTrue(q.orderBy().get(0).ascending());
        assertEquals(2000, q.limit());
    }

    @Test
    void keywordsAreCaseInsensitive() {
        Soql q = SoqlParser.parse("select id from lead where isdeleted = FALSE order by id desc nulls first limit 5");
        assertEquals("lead", q.from().text());
        assertFalse(q.orderBy().get(0).ascending());
        assertTrue(q.orderBy().get(0).nullsFirst());
        assertEquals(5, q.limit());
    }

    @Test
    void descendingSortsPutNullsLastByDefault() {
        Soql q = SoqlParser.parse("SELECT Id FROM Lead ORDER BY Email DESC, Phone");
        assertFalse(q.orderBy().get(0).nullsFirst());
        assertTrue(q.orderBy().get(1).nullsFirst());
    }

    @Test
    void mixingAndWithOrWithoutParenthesesIsMalformed() {
        SoqlException e = assertThrows(SoqlException.class,
                () -> SoqlParser.parse("SELECT Id FROM Lead WHERE Email = 'a' AND Phone = 'b' OR City = 'c'"));
        assertEquals("MALFORMED_QUERY", e.errorCode());
        assertTrue(e.getMessage().contains("OR"), e.getMessage());
    }

    @Test
    void readsEveryLiteralKind() {
        Soql q = SoqlParser.parse("SELECT Id FROM Lead WHERE A = 'x' AND B = -12.50 AND C = true AND D = null "
                + "AND E = 2024-02-29 AND F >= 2024-01-01T10:00:00.123+02:00 AND G IN ('a', 'b') AND H NOT IN (1) "
                + "AND I LIKE 'ab%' AND NOT J != 3");
        List<Soql.Condition> parts = ((And) q.where()).parts();
        assertEquals(new StringLit("x"), ((Comparison) parts.get(0)).value());
        assertEquals(new NumberLit(new BigDecimal("-12.50")), ((Comparison) parts.get(1)).value());
        assertEquals(new Soql.BoolLit(true), ((Comparison) parts.get(2)).value());
        assertInstanceOf(NullLit.class, ((Comparison) parts.get(3)).value());
        assertEquals(new DateLit(LocalDate.of(2024, 2, 29)), ((Comparison) parts.get(4)).value());
        assertEquals(new DateTimeLit(Instant.parse("2024-01-01T08:00:00.123Z")), ((Comparison) parts.get(5)).value());
        assertFalse(((In) parts.get(6)).negated());
        assertEquals(2, ((In) parts.get(6)).values().size());
        assertTrue(((In) parts.get(7)).negated());
        assertInstanceOf(Like.class, parts.get(8));
        assertInstanceOf(Not.class, parts.get(9));
    }

    @Test
    void unescapesSoqlEscapes() {
        Soql q = SoqlParser.parse("SELECT Id FROM Lead WHERE Name = 'O\\'Brien \\\\ \\\"x\\\" \\n\\r\\t\\b\\f\\N'");
        assertEquals(new StringLit("O'Brien \\ \"x\" \n\r\t\b\f\n"), ((Comparison) q.where()).value());
    }

    @Test
    void likeEscapesMatchLiteralWildcards() {
        Like like = (Like) SoqlParser.parse("SELECT Id FROM Lead WHERE Name LIKE '50\\%_off%'").where();
        assertTrue(like.pattern().matcher("50%xoffer").matches());
        assertFalse(like.pattern().matcher("500xoffer").matches());
        assertTrue(like.pattern().matcher("50%XOFF").matches(), "LIKE is case-insensitive");
    }

    @Test
    void anIllegalEscapeIsMalformed() {
        SoqlException e = assertThrows(SoqlException.class,
                () -> SoqlParser.parse("SELECT Id FROM Lead WHERE Name = 'a\\qb'"));
        assertEquals("MALFORMED_QUERY", e.errorCode());
        assertTrue(e.getMessage().contains("Illegal escape"), e.getMessage());
    }

    @Test
    void anUnterminatedStringIsMalformed() {
        SoqlException e = assertThrows(SoqlException.class,
                () -> SoqlParser.parse("SELECT Id FROM Lead WHERE Name = 'abc"));
        assertEquals("MALFORMED_QUERY", e.errorCode());
    }

    @Test
    void aDateTimeWithoutZoneIsMalformed() {
        assertThrows(SoqlException.class,
                () -> SoqlParser.parse("SELECT Id FROM Lead WHERE SystemModstamp > 2024-01-01T00:00:00"));
    }

    @Test
    void anImpossibleDateIsMalformed() {
        SoqlException e = assertThrows(SoqlException.class,
                () -> SoqlParser.parse("SELECT Id FROM Lead WHERE CreatedDate > 2024-02-30"));
        assertEquals("MALFORMED_QUERY", e.errorCode());
    }

    @Test
    void trailingTokensAreMalformed() {
        SoqlException e = assertThrows(SoqlException.class, () -> SoqlParser.parse("SELECT Id FROM Lead Lead"));
        assertEquals("unexpected token: Lead", e.getMessage());
        assertEquals(20, e.position());
    }

    @Test
    void aMissingWhereConditionPointsAtTheEnd() {
        SoqlException e = assertThrows(SoqlException.class, () -> SoqlParser.parse("SELECT Id FROM Lead WHERE"));
        assertEquals("unexpected token: <EOF>", e.getMessage());
        assertEquals("\nSELECT Id FROM Lead WHERE\n                         ^\nERROR at Row:1:Column:26\n"
                + "unexpected token: <EOF>", e.describe("SELECT Id FROM Lead WHERE"));
    }

    @Test
    void limitMustBeANonNegativeInteger() {
        assertThrows(SoqlException.class, () -> SoqlParser.parse("SELECT Id FROM Lead LIMIT -1"));
        assertThrows(SoqlException.class, () -> SoqlParser.parse("SELECT Id FROM Lead LIMIT 1.5"));
        assertEquals(0, SoqlParser.parse("SELECT Id FROM Lead LIMIT 0").limit());
    }

    @Test
    void anEmptyQueryIsMalformed() {
        SoqlException e = assertThrows(SoqlException.class, () -> SoqlParser.parse("  "));
        assertEquals("A query string has to be specified", e.getMessage());
    }

    @Test
    void countForms() {
        assertInstanceOf(CountAll.class, SoqlParser.parse("SELECT COUNT() FROM Lead").select().get(0));
        CountField c = (CountField) SoqlParser.parse("SELECT COUNT(Id) n FROM Lead").select().get(0);
        assertEquals("n", c.alias());
        assertNull(((CountField) SoqlParser.parse("SELECT COUNT(Id) FROM Lead").select().get(0)).alias());
    }
}

package io.strata.metadata.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostgresSettingsTest {

    @Test
    void aLibpqUrlGivesHostPortDatabaseUserPasswordAndDriverParameters() {
        PostgresSettings settings = PostgresSettings.parse(
                "postgresql://db.internal:6432/strata?user=broker&password=p%40ss&sslmode=verify-full",
                Optional.empty(), Optional.empty());

        assertThat(settings.host()).isEqualTo("db.internal");
        assertThat(settings.port()).isEqualTo(6432);
        assertThat(settings.database()).isEqualTo("strata");
        assertThat(settings.user()).hasValue("broker");
        assertThat(settings.password()).hasValue("p@ss");
        assertThat(settings.parameters()).isEqualTo(Map.of("sslmode", "verify-full"));
        assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/strata?sslmode=verify-full");
        assertThat(settings.toString()).isEqualTo("postgresql://broker@db.internal:6432/strata").doesNotContain("p@ss");
    }

    @Test
    void userAndPasswordOfTheirOwnWinOverTheUrlsAndUserInfoWorksToo() {
        PostgresSettings settings = PostgresSettings.parse("postgresql://alice:secret@db/strata",
                Optional.of("bob"), Optional.of("from-a-secret"));

        assertThat(settings.port()).isEqualTo(5432);
        assertThat(settings.user()).hasValue("bob");
        assertThat(settings.password()).hasValue("from-a-secret");
        assertThat(PostgresSettings.parse("postgresql://alice:secret@db/strata", Optional.empty(), Optional.empty())
                .password()).hasValue("secret");
    }

    @Test
    void aUrlThatIsNotPostgresqlIsRefusedWithTheReasonAndNoPassword() {
        assertThatThrownBy(() -> PostgresSettings.parse("mysql://db/strata?password=hunter2", Optional.empty(),
                Optional.empty())).hasMessageContaining("not a PostgreSQL URL").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> PostgresSettings.parse("postgresql://db", Optional.empty(), Optional.empty()))
                .hasMessageContaining("names no database");
        assertThatThrownBy(() -> PostgresSettings.parse("postgresql:///strata", Optional.empty(), Optional.empty()))
                .hasMessageContaining("names no host");
    }
}

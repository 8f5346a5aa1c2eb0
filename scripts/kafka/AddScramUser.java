// Creates (or replaces) a SCRAM-SHA-512 user on a running broker, as the admin principal.
// kafka-local.sh runs it as a single-file program on the broker's own jars (kafka-clients);
// the jars it fetches hold no ConfigCommand. Reads everything from the environment, so no
// password is on a command line: KAFKA_BOOTSTRAP, KAFKA_CA_FILE, KAFKA_ADMIN_PASSWORD,
// SCRAM_USER, SCRAM_PASSWORD.
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class AddScramUser {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", System.getenv("KAFKA_BOOTSTRAP"));
    props.put("security.protocol", "SASL_SSL");
    props.put("sasl.mechanism", "SCRAM-SHA-512");
    props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\""
        + System.getenv("KAFKA_ADMIN_PASSWORD") + "\";");
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", System.getenv("KAFKA_CA_FILE"));
    try (Admin admin = Admin.create(props)) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
          System.getenv("SCRAM_USER"),
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
          System.getenv("SCRAM_PASSWORD")))).all().get();
    }
  }
}

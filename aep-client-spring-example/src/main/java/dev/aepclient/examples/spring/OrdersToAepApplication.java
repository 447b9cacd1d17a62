package dev.aepclient.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot service that sends checkout events to AEP ({@link CheckoutEvents}, through the starter's client bean)
 * and, with {@code FORWARD_KAFKA=true}, forwards its {@code orders} topic too. Settings: {@code application.yml}.
 */
@SpringBootApplication
public class OrdersToAepApplication {
  /** Runs the service. */
  public static void main(String[] args) {
    SpringApplication.run(OrdersToAepApplication.class, args);
  }
}

package dev.aepclient.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns an {@link AepConfigurationException} into Spring Boot's start-up report: what is wrong, and what to do. */
class AepConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<AepConfigurationException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, AepConfigurationException cause) {
    return new FailureAnalysis("The AEP streaming client could not be configured: " + cause.getMessage(),
        "Fix the aep.* property named above (the keys are listed in aep-client's README, section Configuration), "
            + "or set aep.enabled=false to leave the client out.", cause);
  }
}

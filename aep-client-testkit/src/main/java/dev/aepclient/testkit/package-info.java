/**
 * Test AEP code without AEP: {@link dev.aepclient.testkit.AepSimulator} is an in-process streaming inlet (DCS) and
 * IMS on a loopback port that answers as AEP does, can be told to fail ({@link dev.aepclient.testkit.Fault}) and
 * records what it received ({@link dev.aepclient.testkit.AcceptedMessage},
 * {@link dev.aepclient.testkit.RecordedRequest}). {@link dev.aepclient.testkit.AepSimulatorExtension} runs one per
 * JUnit 5 test class.
 */
package dev.aepclient.testkit;

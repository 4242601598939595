/**
 * The learned value v_phi(x_t, t) of SVDD-MC: the network ({@link org.svdd.value.ValueNet}) and its training data and
 * loop ({@link org.svdd.value.ValueTraining}: rollouts of the pre-trained sampler or of SVDD-MC itself, or forward-noised
 * data, labelled with final rewards; the held-out check per noise level).
 */
package org.svdd.value;

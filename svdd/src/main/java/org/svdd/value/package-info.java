/**
 * The learned value v_phi(x_t, t) of SVDD-MC: the network ({@link org.svdd.value.ValueNet}) and its training data and
 * loop ({@link org.svdd.value.ValueTraining}: pre-trained rollouts or forward-noised data labelled with final rewards).
 */
package org.svdd.value;
